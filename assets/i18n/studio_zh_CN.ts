<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="zh_CN">
<context>
    <name>CanvasActions</name>
    <message>
        <location filename="../../studio/ui/image/canvas_actions.py" line="37" />
        <source>Generation parameters loaded from {0}</source>
        <translation>已从 {0} 载入生成参数</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/canvas_actions.py" line="73" />
        <source>Saving {0}…</source>
        <translation>正在保存 {0}…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/canvas_actions.py" line="84" />
        <source>{0} was not saved: {1}</source>
        <translation>{0} 未能保存：{1}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/canvas_actions.py" line="90" />
        <source>Saved {0}</source>
        <translation>已保存 {0}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/canvas_actions.py" line="99" />
        <source>Save canvas</source>
        <translation>保存画布</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/canvas_actions.py" line="100" />
        <source>OpenRaster (*.ora)</source>
        <translation>OpenRaster (*.ora)</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/canvas_actions.py" line="107" />
        <source>Open</source>
        <translation>打开</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/canvas_actions.py" line="108" />
        <source>Images (*.ora *.png *.jpg *.jpeg *.webp *.bmp)</source>
        <translation>图像 (*.ora *.png *.jpg *.jpeg *.webp *.bmp)</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/canvas_actions.py" line="132" />
        <source>Exported {0}</source>
        <translation>已导出 {0}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/canvas_actions.py" line="142" />
        <source>Export flattened image</source>
        <translation>导出合并图像</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/canvas_actions.py" line="143" />
        <source>PNG (*.png);;JPEG (*.jpg);;WebP (*.webp)</source>
        <translation>PNG (*.png);;JPEG (*.jpg);;WebP (*.webp)</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/canvas_actions.py" line="151" />
        <source>New canvas</source>
        <translation>新建画布</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/canvas_actions.py" line="165" />
        <source>Copied {0} × {1} px</source>
        <translation>已复制 {0} × {1} 像素</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/canvas_actions.py" line="170" />
        <source>The clipboard holds no image.</source>
        <translation>剪贴板中没有图像。</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/canvas_actions.py" line="171" />
        <source>Pasted</source>
        <translation>粘贴的图像</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/canvas_actions.py" line="181" />
        <source>Select an area first.</source>
        <translation>请先选择一个区域。</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/canvas_actions.py" line="187" />
        <source>Select the area to crop to first.</source>
        <translation>请先选择要裁剪到的区域。</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/canvas_actions.py" line="192" />
        <source>Canvas size</source>
        <translation>画布大小</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/canvas_actions.py" line="200" />
        <source>Scale</source>
        <translation>缩放</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/canvas_actions.py" line="200" />
        <source>Scale (%)</source>
        <translation>缩放（%）</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/canvas_actions.py" line="206" />
        <source>Brush colour</source>
        <translation>画笔颜色</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/canvas_actions.py" line="220" />
        <source>{0} × {1} px   zoom {2:.0f} %   ({3}, {4})</source>
        <translation>{0} × {1} 像素   缩放 {2:.0f}%   ({3}, {4})</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/canvas_actions.py" line="225" />
        <source>Untitled</source>
        <translation>未命名</translation>
    </message>
</context>
<context>
    <name>CanvasSizeDialog</name>
    <message>
        <location filename="../../studio/ui/image/size_dialog.py" line="24" />
        <source> px</source>
        <translation> 像素</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/size_dialog.py" line="27" />
        <source>Width</source>
        <translation>宽度</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/size_dialog.py" line="28" />
        <source>Height</source>
        <translation>高度</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/size_dialog.py" line="43" />
        <source>Anchor</source>
        <translation>锚点</translation>
    </message>
</context>
<context>
    <name>DraftTab</name>
    <message>
        <location filename="../../studio/ui/writing/draft_tab.py" line="39" />
        <source>Untitled</source>
        <translation>未命名</translation>
    </message>
</context>
<context>
    <name>FindBar</name>
    <message>
        <location filename="../../studio/ui/writing/find_bar.py" line="18" />
        <source>Find</source>
        <translation>查找</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/find_bar.py" line="20" />
        <source>Replace with</source>
        <translation>替换为</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/find_bar.py" line="21" />
        <source>Match case</source>
        <translation>区分大小写</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/find_bar.py" line="22" />
        <source>Previous</source>
        <translation>上一个</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/find_bar.py" line="23" />
        <source>Next</source>
        <translation>下一个</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/find_bar.py" line="24" />
        <source>Replace</source>
        <translation>替换</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/find_bar.py" line="25" />
        <source>Replace all</source>
        <translation>全部替换</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/find_bar.py" line="29" />
        <source>Close (Esc)</source>
        <translation>关闭（Esc）</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/find_bar.py" line="79" />
        <source>Not found</source>
        <translation>未找到</translation>
    </message>
    <message numerus="yes">
        <location filename="../../studio/ui/writing/find_bar.py" line="107" />
        <source>%n replaced</source>
        <translation>
            <numerusform>已替换 %n 处</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>HistoryListModel</name>
    <message>
        <location filename="../../studio/ui/history_model.py" line="122" />
        <source>Model</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../../studio/ui/history_model.py" line="123" />
        <source>Seed</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>种子</translation>
    </message>
</context>
<context>
    <name>HistoryPane</name>
    <message>
        <location filename="../../studio/ui/history_pane.py" line="42" />
        <source>History</source>
        <translation>历史记录</translation>
    </message>
    <message>
        <location filename="../../studio/ui/history_pane.py" line="54" />
        <source>Images</source>
        <translation>图像</translation>
    </message>
    <message>
        <location filename="../../studio/ui/history_pane.py" line="55" />
        <source>Text</source>
        <translation>文本</translation>
    </message>
    <message>
        <location filename="../../studio/ui/history_pane.py" line="66" />
        <source>Search prompts and text…</source>
        <translation>搜索提示词和文本…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/history_pane.py" line="75" />
        <source>Any time</source>
        <translation>任何时间</translation>
    </message>
    <message>
        <location filename="../../studio/ui/history_pane.py" line="75" />
        <source>Today</source>
        <translation>今天</translation>
    </message>
    <message>
        <location filename="../../studio/ui/history_pane.py" line="76" />
        <source>Last 7 days</source>
        <translation>最近 7 天</translation>
    </message>
    <message>
        <location filename="../../studio/ui/history_pane.py" line="76" />
        <source>Last 30 days</source>
        <translation>最近 30 天</translation>
    </message>
    <message>
        <location filename="../../studio/ui/history_pane.py" line="81" />
        <source>Favourites only</source>
        <translation>仅显示收藏</translation>
    </message>
    <message>
        <location filename="../../studio/ui/history_pane.py" line="84" />
        <source>Trash</source>
        <translation>回收站</translation>
    </message>
    <message>
        <location filename="../../studio/ui/history_pane.py" line="85" />
        <source>Show the trash</source>
        <translation>显示回收站</translation>
    </message>
    <message>
        <location filename="../../studio/ui/history_pane.py" line="165" />
        <source>Recall</source>
        <translation>调回参数</translation>
    </message>
    <message>
        <location filename="../../studio/ui/history_pane.py" line="166" />
        <source>Put every parameter back into the prompt panel</source>
        <translation>将所有参数填回提示词面板</translation>
    </message>
    <message>
        <location filename="../../studio/ui/history_pane.py" line="167" />
        <source>Reproduce</source>
        <translation>重现</translation>
    </message>
    <message>
        <location filename="../../studio/ui/history_pane.py" line="168" />
        <source>Run it again: same seed, same result</source>
        <translation>再次运行：相同种子，相同结果</translation>
    </message>
    <message>
        <location filename="../../studio/ui/history_pane.py" line="169" />
        <source>★ Favourite</source>
        <translation>★ 收藏</translation>
    </message>
    <message>
        <location filename="../../studio/ui/history_pane.py" line="170" />
        <source>Mark or unmark as favourite</source>
        <translation>收藏或取消收藏</translation>
    </message>
    <message>
        <location filename="../../studio/ui/history_pane.py" line="171" />
        <source>Tag…</source>
        <translation>标签…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/history_pane.py" line="172" />
        <source>Send to Canvas</source>
        <translation>发送到画布</translation>
    </message>
    <message>
        <location filename="../../studio/ui/history_pane.py" line="173" />
        <source>Open Large</source>
        <translation>放大查看</translation>
    </message>
    <message>
        <location filename="../../studio/ui/history_pane.py" line="174" />
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <location filename="../../studio/ui/history_pane.py" line="175" />
        <source>Move to the trash</source>
        <translation>移到回收站</translation>
    </message>
    <message>
        <location filename="../../studio/ui/history_pane.py" line="176" />
        <source>Restore</source>
        <translation>恢复</translation>
    </message>
    <message>
        <location filename="../../studio/ui/history_pane.py" line="177" />
        <source>Take out of the trash</source>
        <translation>从回收站中恢复</translation>
    </message>
    <message>
        <location filename="../../studio/ui/history_pane.py" line="178" />
        <source>Empty Trash…</source>
        <translation>清空回收站…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/history_pane.py" line="179" />
        <source>Copy Parameters</source>
        <translation>复制参数</translation>
    </message>
    <message>
        <location filename="../../studio/ui/history_pane.py" line="180" />
        <source>Copy the recipe (AUTOMATIC1111 text) or the generated text</source>
        <translation>复制生成参数（AUTOMATIC1111 格式）或生成的文本</translation>
    </message>
    <message>
        <location filename="../../studio/ui/history_pane.py" line="181" />
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/history_pane.py" line="182" />
        <source>Save the selection as PNG, JPEG, WebP, PDF or text files</source>
        <translation>将所选项目保存为 PNG、JPEG、WebP、PDF 或文本文件</translation>
    </message>
    <message>
        <location filename="../../studio/ui/history_pane.py" line="183" />
        <source>Contact Sheet PDF…</source>
        <translation>缩略图目录 PDF…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/history_pane.py" line="200" />
        <source>All models</source>
        <translation>所有模型</translation>
    </message>
    <message>
        <location filename="../../studio/ui/history_pane.py" line="201" />
        <source>All tags</source>
        <translation>所有标签</translation>
    </message>
    <message>
        <location filename="../../studio/ui/history_pane.py" line="354" />
        <source>Tag</source>
        <translation>标签</translation>
    </message>
    <message>
        <location filename="../../studio/ui/history_pane.py" line="354" />
        <source>Tag for the selected items:</source>
        <translation>所选项目的标签：</translation>
    </message>
    <message>
        <location filename="../../studio/ui/history_pane.py" line="381" />
        <source>Empty Trash</source>
        <translation>清空回收站</translation>
    </message>
    <message>
        <location filename="../../studio/ui/history_pane.py" line="382" />
        <source>Delete %1 items and their files for good?</source>
        <translation>要永久删除 %1 个项目及其文件吗？</translation>
    </message>
    <message>
        <location filename="../../studio/ui/history_pane.py" line="394" />
        <source>PDF (*.pdf)</source>
        <translation>PDF (*.pdf)</translation>
    </message>
    <message>
        <location filename="../../studio/ui/history_pane.py" line="396" />
        <source>PNG with parameters (*.png);;JPEG (*.jpg);;WebP (*.webp);;PDF, one per page (*.pdf)</source>
        <translation>带参数的 PNG (*.png);;JPEG (*.jpg);;WebP (*.webp);;PDF，每页一张 (*.pdf)</translation>
    </message>
    <message>
        <location filename="../../studio/ui/history_pane.py" line="398" />
        <source>Markdown (*.md);;Plain text (*.txt);;HTML (*.html);;OpenDocument text (*.odt)</source>
        <translation>Markdown (*.md);;纯文本 (*.txt);;HTML (*.html);;OpenDocument 文本 (*.odt)</translation>
    </message>
    <message>
        <location filename="../../studio/ui/history_pane.py" line="399" />
        <location filename="../../studio/ui/history_pane.py" line="407" />
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <location filename="../../studio/ui/history_pane.py" line="435" />
        <source>Remove Tag</source>
        <translation>移除标签</translation>
    </message>
</context>
<context>
    <name>ImageViewer</name>
    <message>
        <location filename="../../studio/ui/history_viewer.py" line="18" />
        <source>Image #%1</source>
        <translation>图像 #%1</translation>
    </message>
    <message>
        <location filename="../../studio/ui/history_viewer.py" line="26" />
        <source>The image file is missing.</source>
        <translation>图像文件丢失。</translation>
    </message>
    <message>
        <location filename="../../studio/ui/history_viewer.py" line="42" />
        <source>Negative: %1</source>
        <translation>反向提示词：%1</translation>
    </message>
    <message>
        <location filename="../../studio/ui/history_viewer.py" line="43" />
        <source>Seed %1 · %2×%3 · %4 · %5</source>
        <translation>种子 %1 · %2×%3 · %4 · %5</translation>
    </message>
</context>
<context>
    <name>ImageWorkspace</name>
    <message>
        <location filename="../../studio/ui/image/workspace.py" line="81" />
        <source>Dropped image</source>
        <translation>拖入的图像</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/workspace.py" line="131" />
        <source>Layers</source>
        <translation>图层</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/workspace.py" line="132" />
        <source>Queue</source>
        <translation>队列</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/workspace.py" line="294" />
        <source>&amp;Canvas</source>
        <translation>画布(&amp;C)</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/workspace.py" line="306" />
        <source>&amp;Tools</source>
        <translation>工具(&amp;T)</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/workspace.py" line="239" />
        <location filename="../../studio/ui/image/workspace.py" line="310" />
        <source>&amp;Generate</source>
        <translation>生成(&amp;G)</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/workspace.py" line="331" />
        <source>Queued: {0}</source>
        <translation>已加入队列：{0}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/workspace.py" line="341" />
        <source>Img2img</source>
        <translation>图生图</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/workspace.py" line="343" />
        <source>Generate</source>
        <translation>生成</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/workspace.py" line="348" />
        <source>Inpaint</source>
        <translation>局部重绘</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/workspace.py" line="354" />
        <source>Select an area first (rectangle or lasso select).</source>
        <translation>请先选择一个区域（矩形选择或套索选择）。</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/workspace.py" line="269" />
        <location filename="../../studio/ui/image/workspace.py" line="356" />
        <source>Into selection</source>
        <translation>填入选区</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/workspace.py" line="264" />
        <location filename="../../studio/ui/image/workspace.py" line="365" />
        <source>Outpaint</source>
        <translation>扩展画布</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/workspace.py" line="376" />
        <source>Reproduce</source>
        <translation>重现</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/workspace.py" line="398" />
        <source>{0}: step {1}/{2} · {3:.1f} {4}/s</source>
        <translation>{0}：第 {1}/{2} 步 · {3:.1f} {4}/秒</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/workspace.py" line="426" />
        <source>{0} image(s) in {1:.1f} s on {2}</source>
        <translation>{0} 张图像，用时 {1:.1f} 秒，设备：{2}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/workspace.py" line="433" />
        <source>Generated layers</source>
        <translation>生成的图层</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/workspace.py" line="458" />
        <source>The image could not be generated: {0}</source>
        <translation>无法生成图像：{0}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/workspace.py" line="466" />
        <source>Job cancelled.</source>
        <translation>任务已取消。</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/workspace.py" line="498" />
        <source>Image</source>
        <translation>图像</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/workspace.py" line="500" />
        <source>Add image</source>
        <translation>添加图像</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/workspace.py" line="545" />
        <source>Autosave failed: {0}</source>
        <translation>自动保存失败：{0}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/workspace.py" line="558" />
        <source>Restored the autosaved canvas.</source>
        <translation>已恢复自动保存的画布。</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/workspace.py" line="170" />
        <source>Brush</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>画笔</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/workspace.py" line="170" />
        <source>Eraser</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>橡皮擦</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/workspace.py" line="171" />
        <source>Mask brush</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>蒙版画笔</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/workspace.py" line="171" />
        <source>Mask</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>蒙版</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/workspace.py" line="172" />
        <source>Mask eraser</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>蒙版橡皮擦</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/workspace.py" line="172" />
        <source>Unmask</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>擦除蒙版</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/workspace.py" line="173" />
        <source>Fill</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>填充</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/workspace.py" line="174" />
        <source>Rectangle select</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>矩形选择</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/workspace.py" line="174" />
        <source>Rectangle</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>矩形</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/workspace.py" line="175" />
        <source>Lasso select</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>套索选择</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/workspace.py" line="175" />
        <source>Lasso</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>套索</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/workspace.py" line="175" />
        <source>Move</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>移动</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/workspace.py" line="176" />
        <source>Pan</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>平移</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/workspace.py" line="188" />
        <source>Brush size (px)</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>画笔大小（像素）</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/workspace.py" line="194" />
        <source>Brush hardness</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>画笔硬度</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/workspace.py" line="197" />
        <source>Brush colour</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>画笔颜色</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/workspace.py" line="200" />
        <source> Size </source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation> 大小 </translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/workspace.py" line="202" />
        <source> Hardness </source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation> 硬度 </translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/workspace.py" line="208" />
        <source>Bigger brush</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>增大画笔</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/workspace.py" line="210" />
        <source>Smaller brush</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>减小画笔</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/workspace.py" line="212" />
        <source>Fit to window</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>适应窗口</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/workspace.py" line="213" />
        <source>Actual pixels (100 %)</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>实际像素（100%）</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/workspace.py" line="214" />
        <source>Fit</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>适应</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/workspace.py" line="215" />
        <source>100 %</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>100%</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/workspace.py" line="218" />
        <source>&amp;Undo</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>撤销(&amp;U)</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/workspace.py" line="220" />
        <source>&amp;Redo</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>重做(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/workspace.py" line="225" />
        <source>&amp;Copy image</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>复制图像(&amp;C)</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/workspace.py" line="226" />
        <source>&amp;Paste as layer</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>粘贴为图层(&amp;P)</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/workspace.py" line="227" />
        <source>Select &amp;all</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>全选(&amp;A)</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/workspace.py" line="228" />
        <source>&amp;Deselect</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>取消选择(&amp;D)</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/workspace.py" line="229" />
        <source>&amp;Crop to selection</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>裁剪到选区(&amp;C)</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/workspace.py" line="230" />
        <source>Canvas &amp;size…</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>画布大小(&amp;S)…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/workspace.py" line="231" />
        <source>&amp;Scale layer or selection…</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>缩放图层或选区(&amp;S)…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/workspace.py" line="232" />
        <source>New &amp;layer</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>新建图层(&amp;L)</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/workspace.py" line="233" />
        <source>&amp;Merge down</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>向下合并(&amp;M)</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/workspace.py" line="234" />
        <source>D&amp;uplicate layer</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>复制图层(&amp;U)</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/workspace.py" line="235" />
        <source>Clear mask</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>清除蒙版</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/workspace.py" line="236" />
        <source>Mask from selection</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>从选区创建蒙版</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/workspace.py" line="240" />
        <source>Add a job to the queue</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>将任务加入队列</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/workspace.py" line="242" />
        <source>&amp;Stop current job</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>停止当前任务(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/workspace.py" line="243" />
        <source>Stop the running job at its next step (Esc)</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>在下一步停止正在运行的任务（Esc）</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/workspace.py" line="244" />
        <source>&amp;Inpaint</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>局部重绘(&amp;I)</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/workspace.py" line="245" />
        <source>Regenerate the masked area</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>重新生成蒙版区域</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/workspace.py" line="246" />
        <source>Generate into &amp;selection</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>在选区内生成(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/workspace.py" line="247" />
        <source>Fill the selection with a new picture</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>用新图像填充选区</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/workspace.py" line="248" />
        <source>&amp;Outpaint</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>扩展画布(&amp;O)</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/workspace.py" line="249" />
        <source>Left</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>左侧</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/workspace.py" line="249" />
        <source>Right</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>右侧</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/workspace.py" line="249" />
        <source>Top</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>顶部</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/workspace.py" line="250" />
        <source>Bottom</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>底部</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/workspace.py" line="253" />
        <source>Start from the canvas (img2img)</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>以画布为起点（图生图）</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/workspace.py" line="254" />
        <source>Generate starts from the visible canvas; Strength says how much changes</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>从可见画布开始生成；“重绘强度”决定改变的程度</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/workspace.py" line="265" />
        <source>Extend the canvas on one side and fill the new strip</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>向一侧扩展画布并填充新增区域</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/workspace.py" line="270" />
        <source>Selection → mask</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>选区 → 蒙版</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/workspace.py" line="271" />
        <source>Stop</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>停止</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/workspace.py" line="286" />
        <source>&amp;New canvas…</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>新建画布(&amp;N)…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/workspace.py" line="287" />
        <source>&amp;Open…</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>打开(&amp;O)…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/workspace.py" line="288" />
        <source>&amp;Save</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>保存(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/workspace.py" line="289" />
        <source>Save &amp;as…</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>另存为(&amp;A)…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/workspace.py" line="290" />
        <source>&amp;Export flattened image…</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>导出合并图像(&amp;E)…</translation>
    </message>
</context>
<context>
    <name>LayersPanel</name>
    <message>
        <location filename="../../studio/ui/image/layers_panel.py" line="56" />
        <source>Layer opacity</source>
        <translation>图层不透明度</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/layers_panel.py" line="61" />
        <source>+</source>
        <translation>+</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/layers_panel.py" line="61" />
        <source>Add a layer</source>
        <translation>添加图层</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/layers_panel.py" line="62" />
        <source>−</source>
        <translation>−</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/layers_panel.py" line="62" />
        <source>Delete the layer</source>
        <translation>删除图层</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/layers_panel.py" line="63" />
        <source>▲</source>
        <translation>▲</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/layers_panel.py" line="63" />
        <source>Move the layer up</source>
        <translation>上移图层</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/layers_panel.py" line="64" />
        <source>▼</source>
        <translation>▼</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/layers_panel.py" line="64" />
        <source>Move the layer down</source>
        <translation>下移图层</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/layers_panel.py" line="65" />
        <source>Merge</source>
        <translation>合并</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/layers_panel.py" line="65" />
        <source>Merge the layer into the one below</source>
        <translation>将图层合并到下方图层</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/layers_panel.py" line="67" />
        <source>⧉</source>
        <translation>⧉</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/layers_panel.py" line="67" />
        <source>Duplicate the layer</source>
        <translation>复制图层</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/layers_panel.py" line="74" />
        <source>Opacity</source>
        <translation>不透明度</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/layers_panel.py" line="106" />
        <source>{0} × {1} px at ({2}, {3})</source>
        <translation>{0} × {1} 像素，位于 ({2}, {3})</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/layers_panel.py" line="170" />
        <source>Layer {0}</source>
        <translation>图层 {0}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/layers_panel.py" line="175" />
        <source>{0} copy</source>
        <translation>{0} 副本</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../studio/ui/main_window.py" line="45" />
        <source>Studio</source>
        <translation>Studio</translation>
    </message>
    <message>
        <location filename="../../studio/ui/main_window.py" line="56" />
        <source>Image</source>
        <translation>图像</translation>
    </message>
    <message>
        <location filename="../../studio/ui/main_window.py" line="58" />
        <source>Writing</source>
        <translation>写作</translation>
    </message>
    <message>
        <location filename="../../studio/ui/main_window.py" line="76" />
        <source>The {0} workspace is not available in this build.</source>
        <translation>此版本不包含“{0}”工作区。</translation>
    </message>
    <message>
        <location filename="../../studio/ui/main_window.py" line="88" />
        <source>History</source>
        <translation>历史记录</translation>
    </message>
    <message>
        <location filename="../../studio/ui/main_window.py" line="90" />
        <source>History is not available.</source>
        <translation>历史记录不可用。</translation>
    </message>
    <message>
        <location filename="../../studio/ui/main_window.py" line="126" />
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../studio/ui/main_window.py" line="127" />
        <source>&amp;Settings…</source>
        <translation>设置(&amp;S)…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/main_window.py" line="131" />
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../../studio/ui/main_window.py" line="138" />
        <source>&amp;Jobs</source>
        <translation>任务(&amp;J)</translation>
    </message>
    <message>
        <location filename="../../studio/ui/main_window.py" line="139" />
        <source>Cancel &amp;All Jobs</source>
        <translation>取消所有任务(&amp;A)</translation>
    </message>
    <message>
        <location filename="../../studio/ui/main_window.py" line="144" />
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <location filename="../../studio/ui/main_window.py" line="146" />
        <source>&amp;Image Workspace</source>
        <translation>图像工作区(&amp;I)</translation>
    </message>
    <message>
        <location filename="../../studio/ui/main_window.py" line="149" />
        <source>&amp;Writing Workspace</source>
        <translation>写作工作区(&amp;W)</translation>
    </message>
    <message>
        <location filename="../../studio/ui/main_window.py" line="155" />
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <location filename="../../studio/ui/main_window.py" line="156" />
        <source>&amp;About Studio</source>
        <translation>关于 Studio(&amp;A)</translation>
    </message>
    <message>
        <location filename="../../studio/ui/main_window.py" line="209" />
        <source>The settings could not be saved: {0}</source>
        <translation>无法保存设置：{0}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/main_window.py" line="216" />
        <source>About Studio</source>
        <translation>关于 Studio</translation>
    </message>
    <message>
        <location filename="../../studio/ui/main_window.py" line="227" />
        <source>Autosave failed: {0}</source>
        <translation>自动保存失败：{0}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/main_window.py" line="239" />
        <source>Autosaved work could not be restored: {0}</source>
        <translation>无法恢复自动保存的作品：{0}</translation>
    </message>
</context>
<context>
    <name>MessageBar</name>
    <message>
        <location filename="../../studio/ui/image/message_bar.py" line="17" />
        <source>Details…</source>
        <translation>详细信息…</translation>
    </message>
</context>
<context>
    <name>PromptPanel</name>
    <message>
        <location filename="../../studio/ui/image/prompt_panel.py" line="47" />
        <source>Describe the picture…</source>
        <translation>描述画面…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/prompt_panel.py" line="51" />
        <source>What to avoid (negative prompt)</source>
        <translation>要避免的内容（反向提示词）</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/prompt_panel.py" line="55" />
        <source>Recent prompts</source>
        <translation>最近的提示词</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/prompt_panel.py" line="59" />
        <source>Apply</source>
        <translation>应用</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/prompt_panel.py" line="61" />
        <source>＋</source>
        <translation>＋</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/prompt_panel.py" line="62" />
        <source>Save the prompt as a named style…</source>
        <translation>将提示词保存为命名风格…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/prompt_panel.py" line="65" />
        <source>✕</source>
        <translation>✕</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/prompt_panel.py" line="66" />
        <source>Delete the chosen style</source>
        <translation>删除所选风格</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/prompt_panel.py" line="73" />
        <location filename="../../studio/ui/image/prompt_panel.py" line="78" />
        <location filename="../../studio/ui/image/prompt_panel.py" line="83" />
        <location filename="../../studio/ui/image/prompt_panel.py" line="87" />
        <source>Model default</source>
        <translation>模型默认值</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/prompt_panel.py" line="88" />
        <source>Custom</source>
        <translation>自定义</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/prompt_panel.py" line="96" />
        <source>auto</source>
        <translation>自动</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/prompt_panel.py" line="101" />
        <source>Random</source>
        <translation>随机</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/prompt_panel.py" line="105" />
        <source>Reuse</source>
        <translation>复用</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/prompt_panel.py" line="106" />
        <source>Use the seed of the last finished image</source>
        <translation>使用上一张完成图像的种子</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/prompt_panel.py" line="109" />
        <source>Fast mode</source>
        <translation>快速模式</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/prompt_panel.py" line="110" />
        <source>The model's distilled few-step mode, if it has one</source>
        <translation>模型的蒸馏少步数模式（如果有）</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/prompt_panel.py" line="117" />
        <source>How much of the canvas is replaced (img2img, inpaint)</source>
        <translation>画布被替换的程度（图生图、局部重绘）</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/prompt_panel.py" line="119" />
        <source>Generate</source>
        <translation>生成</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/prompt_panel.py" line="122" />
        <source>Add a job to the queue (Ctrl+Enter)</source>
        <translation>将任务加入队列（Ctrl+Enter）</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/prompt_panel.py" line="140" />
        <source>Style</source>
        <translation>风格</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/prompt_panel.py" line="141" />
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/prompt_panel.py" line="142" />
        <source>Scheduler</source>
        <translation>采样器</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/prompt_panel.py" line="143" />
        <source>Steps</source>
        <translation>步数</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/prompt_panel.py" line="144" />
        <source>Guidance</source>
        <translation>引导强度</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/prompt_panel.py" line="145" />
        <source>Size</source>
        <translation>尺寸</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/prompt_panel.py" line="147" />
        <source>Seed</source>
        <translation>种子</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/prompt_panel.py" line="151" />
        <source>Batch</source>
        <translation>批量</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/prompt_panel.py" line="152" />
        <source>Strength</source>
        <translation>重绘强度</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/prompt_panel.py" line="155" />
        <source>Prompt</source>
        <translation>提示词</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/prompt_panel.py" line="175" />
        <source>Default model</source>
        <translation>默认模型</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/prompt_panel.py" line="274" />
        <source>Use seed {0} of the last finished image</source>
        <translation>使用上一张完成图像的种子 {0}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/prompt_panel.py" line="307" />
        <source>Save style</source>
        <translation>保存风格</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/prompt_panel.py" line="308" />
        <source>Name of the style (the prompt becomes its template; write {prompt} where the future prompt goes):</source>
        <translation>风格名称（当前提示词将作为模板；在要放入今后提示词的位置写 {prompt}）：</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/prompt_panel.py" line="319" />
        <source>Recent prompts…</source>
        <translation>最近的提示词…</translation>
    </message>
</context>
<context>
    <name>QueuePanel</name>
    <message>
        <location filename="../../studio/ui/image/queue_panel.py" line="34" />
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/queue_panel.py" line="35" />
        <source>Cancel the selected job</source>
        <translation>取消所选任务</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/queue_panel.py" line="37" />
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/queue_panel.py" line="38" />
        <source>Stop the running job at its next step (Esc)</source>
        <translation>在下一步停止正在运行的任务（Esc）</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/queue_panel.py" line="40" />
        <source>▲</source>
        <translation>▲</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/queue_panel.py" line="41" />
        <source>Run the selected job earlier</source>
        <translation>提前运行所选任务</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/queue_panel.py" line="43" />
        <source>▼</source>
        <translation>▼</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/queue_panel.py" line="44" />
        <source>Run the selected job later</source>
        <translation>推后运行所选任务</translation>
    </message>
    <message>
        <location filename="../../studio/ui/image/queue_panel.py" line="112" />
        <source>{0:.2f} {1}/s</source>
        <translation>{0:.2f} {1}/秒</translation>
    </message>
</context>
<context>
    <name>SamplerPanel</name>
    <message>
        <location filename="../../studio/ui/writing/sampler_panel.py" line="53" />
        <source>Named sampler settings</source>
        <translation>已命名的采样设置</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/sampler_panel.py" line="54" />
        <source>Save…</source>
        <translation>保存…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/sampler_panel.py" line="55" />
        <source>Save these settings as a preset</source>
        <translation>将这些设置保存为预设</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/sampler_panel.py" line="58" />
        <source>Preset</source>
        <translation>预设</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/sampler_panel.py" line="63" />
        <source>off</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/sampler_panel.py" line="74" />
        <source>random</source>
        <translation>随机</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/sampler_panel.py" line="75" />
        <source>Greedy</source>
        <translation>贪心</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/sampler_panel.py" line="76" />
        <source>Always pick the most likely token (ignores the settings above)</source>
        <translation>总是选择可能性最大的词元（忽略上方设置）</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/sampler_panel.py" line="78" />
        <source>e.g. \n\n, THE END</source>
        <translation>例如 \n\n, 全文完</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/sampler_panel.py" line="79" />
        <source>Temperature</source>
        <translation>温度</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/sampler_panel.py" line="79" />
        <source>Top-k</source>
        <translation>Top-k</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/sampler_panel.py" line="80" />
        <source>Top-p</source>
        <translation>Top-p</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/sampler_panel.py" line="80" />
        <source>Min-p</source>
        <translation>Min-p</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/sampler_panel.py" line="81" />
        <source>Typical-p</source>
        <translation>Typical-p</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/sampler_panel.py" line="81" />
        <source>Repetition penalty</source>
        <translation>重复惩罚</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/sampler_panel.py" line="82" />
        <source>Presence penalty</source>
        <translation>存在惩罚</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/sampler_panel.py" line="83" />
        <source>Frequency penalty</source>
        <translation>频率惩罚</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/sampler_panel.py" line="84" />
        <source>Max tokens</source>
        <translation>最大词元数</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/sampler_panel.py" line="84" />
        <source>Seed</source>
        <translation>种子</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/sampler_panel.py" line="85" />
        <source>Stop sequences</source>
        <translation>停止序列</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/sampler_panel.py" line="98" />
        <source>(custom)</source>
        <translation>（自定义）</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/sampler_panel.py" line="158" />
        <source>Save preset</source>
        <translation>保存预设</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/sampler_panel.py" line="158" />
        <source>Preset name:</source>
        <translation>预设名称：</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../../studio/ui/settings_dialog.py" line="16" />
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../../studio/ui/settings_dialog.py" line="21" />
        <source>Auto (GPU when available)</source>
        <translation>自动（优先使用 GPU）</translation>
    </message>
    <message>
        <location filename="../../studio/ui/settings_dialog.py" line="21" />
        <source>GPU (CUDA)</source>
        <translation>GPU（CUDA）</translation>
    </message>
    <message>
        <location filename="../../studio/ui/settings_dialog.py" line="22" />
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <location filename="../../studio/ui/settings_dialog.py" line="25" />
        <source>Device</source>
        <translation>设备</translation>
    </message>
    <message>
        <location filename="../../studio/ui/settings_dialog.py" line="29" />
        <source>Automatic ({0})</source>
        <translation>自动（{0}）</translation>
    </message>
    <message>
        <location filename="../../studio/ui/settings_dialog.py" line="31" />
        <source>CPU threads</source>
        <translation>CPU 线程数</translation>
    </message>
    <message>
        <location filename="../../studio/ui/settings_dialog.py" line="34" />
        <source>Default text model</source>
        <translation>默认文本模型</translation>
    </message>
    <message>
        <location filename="../../studio/ui/settings_dialog.py" line="36" />
        <source>Default image model</source>
        <translation>默认图像模型</translation>
    </message>
    <message>
        <location filename="../../studio/ui/settings_dialog.py" line="40" />
        <source>Default location</source>
        <translation>默认位置</translation>
    </message>
    <message>
        <location filename="../../studio/ui/settings_dialog.py" line="41" />
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/settings_dialog.py" line="45" />
        <source>Data folder</source>
        <translation>数据文件夹</translation>
    </message>
    <message>
        <location filename="../../studio/ui/settings_dialog.py" line="46" />
        <source>A new data folder is used after Studio restarts.</source>
        <translation>新的数据文件夹将在 Studio 重启后生效。</translation>
    </message>
    <message>
        <location filename="../../studio/ui/settings_dialog.py" line="52" />
        <source>System</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <location filename="../../studio/ui/settings_dialog.py" line="59" />
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <location filename="../../studio/ui/settings_dialog.py" line="60" />
        <source>A new language applies after Studio restarts.</source>
        <translation>新的语言将在 Studio 重启后生效。</translation>
    </message>
    <message>
        <location filename="../../studio/ui/settings_dialog.py" line="72" />
        <source> (downloads on first use)</source>
        <translation>（首次使用时下载）</translation>
    </message>
    <message>
        <location filename="../../studio/ui/settings_dialog.py" line="80" />
        <source>Choose the data folder</source>
        <translation>选择数据文件夹</translation>
    </message>
</context>
<context>
    <name>SidePanel</name>
    <message>
        <location filename="../../studio/ui/writing/side_panel.py" line="33" />
        <source>Instruct</source>
        <translation>指令</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/side_panel.py" line="36" />
        <source>Rewrite this paragraph more vividly</source>
        <translation>把这段改写得更生动</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/side_panel.py" line="37" />
        <source>Applied to the selected text with the model's chat template (Ctrl+Shift+Enter)</source>
        <translation>使用模型的对话模板应用到所选文本（Ctrl+Shift+Enter）</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/side_panel.py" line="39" />
        <source>Apply</source>
        <translation>应用</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/side_panel.py" line="44" />
        <source>Memory</source>
        <translation>记忆</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/side_panel.py" line="47" />
        <source>Always kept at the start of the context: characters, setting, style…</source>
        <translation>始终保留在上下文开头：人物、设定、风格…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/side_panel.py" line="53" />
        <source>Author's note</source>
        <translation>作者注释</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/side_panel.py" line="56" />
        <source>Inserted a few lines before the cursor: mood, what happens next…</source>
        <translation>插入到光标前几行处：氛围、接下来的情节…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/side_panel.py" line="61" />
        <source> lines before the cursor</source>
        <translation> 行（光标之前）</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/side_panel.py" line="63" />
        <source>Insert</source>
        <translation>插入位置</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/side_panel.py" line="66" />
        <source>Context</source>
        <translation>上下文</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/side_panel.py" line="76" />
        <source>Sampler</source>
        <translation>采样器</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/side_panel.py" line="113" />
        <source>{0}{1} of {2} tokens used by memory and the text before the cursor.</source>
        <translation>记忆和光标前的文本已使用 {0}{1} / {2} 个词元。</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/side_panel.py" line="116" />
        <source>The oldest text does not fit and is left out; memory is kept.</source>
        <translation>最早的文本放不下，已被略去；记忆仍会保留。</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/side_panel.py" line="118" />
        <source>(Estimated: the model's tokenizer is not available.)</source>
        <translation>（估算值：模型的分词器不可用。）</translation>
    </message>
</context>
<context>
    <name>StudioStatusBar</name>
    <message>
        <location filename="../../studio/ui/status.py" line="16" />
        <source>Device: starting…</source>
        <translation>设备：正在启动…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/status.py" line="18" />
        <source>Queue: 0</source>
        <translation>队列：0</translation>
    </message>
    <message>
        <location filename="../../studio/ui/status.py" line="31" />
        <source>CUDA ({0})</source>
        <translation>CUDA（{0}）</translation>
    </message>
    <message>
        <location filename="../../studio/ui/status.py" line="33" />
        <source>CPU, 1 thread</source>
        <translation>CPU，1 个线程</translation>
    </message>
    <message>
        <location filename="../../studio/ui/status.py" line="35" />
        <source>CPU, {0} threads</source>
        <translation>CPU，{0} 个线程</translation>
    </message>
    <message>
        <location filename="../../studio/ui/status.py" line="38" />
        <source>GPU not used: {0}</source>
        <translation>未使用 GPU：{0}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/status.py" line="40" />
        <source>Running on the preferred device.</source>
        <translation>正在首选设备上运行。</translation>
    </message>
    <message>
        <location filename="../../studio/ui/status.py" line="45" />
        <source>Model: {0}</source>
        <translation>模型：{0}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/status.py" line="48" />
        <source>Queue: {0}</source>
        <translation>队列：{0}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/status.py" line="63" />
        <source>tokens/s</source>
        <translation>词元/秒</translation>
    </message>
    <message>
        <location filename="../../studio/ui/status.py" line="63" />
        <source>steps/s</source>
        <translation>步/秒</translation>
    </message>
</context>
<context>
    <name>TextViewer</name>
    <message>
        <location filename="../../studio/ui/history_viewer.py" line="64" />
        <source>Text #%1</source>
        <translation>文本 #%1</translation>
    </message>
    <message>
        <location filename="../../studio/ui/history_viewer.py" line="74" />
        <source>Context</source>
        <translation>上下文</translation>
    </message>
    <message>
        <location filename="../../studio/ui/history_viewer.py" line="76" />
        <source>Generated</source>
        <translation>生成的文本</translation>
    </message>
</context>
<context>
    <name>TokenMenu</name>
    <message>
        <location filename="../../studio/ui/writing/token_popup.py" line="21" />
        <source>Token “{0}”: pick another to regenerate from here</source>
        <translation>词元“{0}”：选择其他词元，从此处重新生成</translation>
    </message>
</context>
<context>
    <name>Workspace</name>
    <message>
        <location filename="../../studio/ui/writing/workspace.py" line="85" />
        <source>New draft (Ctrl+N)</source>
        <translation>新建草稿（Ctrl+N）</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/workspace.py" line="109" />
        <source>Details…</source>
        <translation>详细信息…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/workspace.py" line="155" />
        <source>&amp;New draft</source>
        <translation>新建草稿(&amp;N)</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/workspace.py" line="156" />
        <source>&amp;Open…</source>
        <translation>打开(&amp;O)…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/workspace.py" line="157" />
        <source>&amp;Save</source>
        <translation>保存(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/workspace.py" line="158" />
        <source>Save &amp;as…</source>
        <translation>另存为(&amp;A)…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/workspace.py" line="159" />
        <source>&amp;Close draft</source>
        <translation>关闭草稿(&amp;C)</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/workspace.py" line="161" />
        <source>&amp;Continue</source>
        <translation>续写(&amp;C)</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/workspace.py" line="162" />
        <source>The model continues from the cursor (Ctrl+Enter)</source>
        <translation>模型从光标处续写（Ctrl+Enter）</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/workspace.py" line="163" />
        <source>&amp;Stop / reject</source>
        <translation>停止 / 拒绝(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/workspace.py" line="164" />
        <source>Stop the model, or remove the text it wrote (Esc)</source>
        <translation>停止模型，或删除它写出的文本（Esc）</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/workspace.py" line="165" />
        <source>&amp;Accept</source>
        <translation>接受(&amp;A)</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/workspace.py" line="166" />
        <source>Keep the generated text (Enter or just keep typing)</source>
        <translation>保留生成的文本（按 Enter 或直接继续输入）</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/workspace.py" line="167" />
        <source>&amp;Retry</source>
        <translation>重试(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/workspace.py" line="168" />
        <source>Replace the generated text with a new attempt (Ctrl+R)</source>
        <translation>重新生成以替换生成的文本（Ctrl+R）</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/workspace.py" line="169" />
        <source>&amp;Previous alternative</source>
        <translation>上一个备选(&amp;P)</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/workspace.py" line="170" />
        <source>&amp;Next alternative</source>
        <translation>下一个备选(&amp;N)</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/workspace.py" line="171" />
        <source>Apply &amp;instruction to selection</source>
        <translation>对所选文本应用指令(&amp;I)</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/workspace.py" line="174" />
        <source>&amp;Undo</source>
        <translation>撤销(&amp;U)</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/workspace.py" line="175" />
        <source>&amp;Redo</source>
        <translation>重做(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/workspace.py" line="177" />
        <source>&amp;Find and replace…</source>
        <translation>查找和替换(&amp;F)…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/workspace.py" line="178" />
        <source>Zoom &amp;in</source>
        <translation>放大(&amp;I)</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/workspace.py" line="179" />
        <source>Zoom &amp;out</source>
        <translation>缩小(&amp;O)</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/workspace.py" line="180" />
        <source>&amp;Reset zoom</source>
        <translation>重置缩放(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/workspace.py" line="181" />
        <source>&amp;Font…</source>
        <translation>字体(&amp;F)…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/workspace.py" line="194" />
        <source>&amp;Draft</source>
        <translation>草稿(&amp;D)</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/workspace.py" line="197" />
        <source>&amp;Export as</source>
        <translation>导出为(&amp;E)</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/workspace.py" line="203" />
        <source>&amp;Edit</source>
        <translation>编辑(&amp;E)</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/workspace.py" line="209" />
        <source>&amp;Generate</source>
        <translation>生成(&amp;G)</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/workspace.py" line="214" />
        <source>F&amp;ormat</source>
        <translation>格式(&amp;O)</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/workspace.py" line="232" />
        <source>Autosave failed: {0}</source>
        <translation>自动保存失败：{0}</translation>
    </message>
    <message numerus="yes">
        <location filename="../../studio/ui/writing/workspace.py" line="247" />
        <source>Restored %n draft(s) from the autosave.</source>
        <translation>
            <numerusform>已从自动保存中恢复 %n 份草稿。</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/workspace.py" line="263" />
        <source>Sampler settings and memory recalled from the history.</source>
        <translation>已从历史记录中调回采样设置和记忆。</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/workspace.py" line="333" />
        <source>Close draft</source>
        <translation>关闭草稿</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/workspace.py" line="334" />
        <source>“{0}” has changes that are not saved to a file. Save them first?</source>
        <translation>“{0}”有尚未保存到文件的更改。要先保存吗？</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/workspace.py" line="354" />
        <source>Open draft</source>
        <translation>打开草稿</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/workspace.py" line="355" />
        <source>Text (*.md *.markdown *.txt *.text);;All files (*)</source>
        <translation>文本 (*.md *.markdown *.txt *.text);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/workspace.py" line="375" />
        <source>Saved {0}</source>
        <translation>已保存 {0}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/workspace.py" line="381" />
        <source>Save draft</source>
        <translation>保存草稿</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/workspace.py" line="382" />
        <source>Markdown (*.md);;Plain text (*.txt)</source>
        <translation>Markdown (*.md);;纯文本 (*.txt)</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/workspace.py" line="397" />
        <source>Export draft</source>
        <translation>导出草稿</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/workspace.py" line="404" />
        <source>Exported {0}</source>
        <translation>已导出 {0}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/workspace.py" line="439" />
        <source>Stop the model first (Esc), then retry.</source>
        <translation>请先停止模型（Esc），再重试。</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/workspace.py" line="524" />
        <location filename="../../studio/ui/writing/workspace.py" line="543" />
        <source>{0:.1f} tokens/s</source>
        <translation>{0:.1f} 词元/秒</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/workspace.py" line="615" />
        <source>&amp;Stop</source>
        <translation>停止(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/workspace.py" line="615" />
        <source>&amp;Reject</source>
        <translation>拒绝(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/workspace.py" line="617" />
        <source>Alternative {0} / {1}</source>
        <translation>备选 {0} / {1}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/workspace.py" line="621" />
        <source>Writing… (Esc stops)</source>
        <translation>正在写作…（Esc 停止）</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/workspace.py" line="623" />
        <source>Enter accepts, Esc rejects, Ctrl+R retries, click a word for alternatives</source>
        <translation>Enter 接受，Esc 拒绝，Ctrl+R 重试，点击词语查看备选</translation>
    </message>
    <message numerus="yes">
        <location filename="../../studio/ui/writing/workspace.py" line="632" />
        <source>%n word(s)</source>
        <translation>
            <numerusform>%n 个词</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing/workspace.py" line="661" />
        <source>Context {0}{1} / {2}</source>
        <translation>上下文 {0}{1} / {2}</translation>
    </message>
    <message>
        <source>Markdown</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>Markdown</translation>
    </message>
    <message>
        <source>Plain text</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>纯文本</translation>
    </message>
    <message>
        <source>HTML</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>HTML</translation>
    </message>
    <message>
        <source>OpenDocument Text</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>OpenDocument 文本</translation>
    </message>
    <message>
        <source>PDF</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>PDF</translation>
    </message>
</context>
<context>
    <name>about</name>
    <message>
        <location filename="../../studio/ui/about.py" line="13" />
        <source>SmolLM2-135M-Instruct © Hugging Face, Apache-2.0.</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>SmolLM2-135M-Instruct © Hugging Face，Apache-2.0 许可。</translation>
    </message>
    <message>
        <location filename="../../studio/ui/about.py" line="14" />
        <source>Emoji art used to train the built-in image model: Twemoji © Twitter, Inc. and other contributors, CC-BY 4.0; Noto Emoji © Google, Apache-2.0.</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>用于训练内置图像模型的表情符号图案：Twemoji © Twitter, Inc. 及其他贡献者，CC-BY 4.0 许可；Noto Emoji © Google，Apache-2.0 许可。</translation>
    </message>
    <message>
        <location filename="../../studio/ui/about.py" line="17" />
        <source>Built-in image model text encoder: all-MiniLM-L6-v2 (sentence-transformers), Apache-2.0.</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>内置图像模型的文本编码器：all-MiniLM-L6-v2（sentence-transformers），Apache-2.0 许可。</translation>
    </message>
    <message>
        <location filename="../../studio/ui/about.py" line="20" />
        <source>Qt for Python (LGPL-3.0), ONNX Runtime (MIT).</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>Qt for Python（LGPL-3.0），ONNX Runtime（MIT）。</translation>
    </message>
    <message>
        <location filename="../../studio/ui/about.py" line="23" />
        <source>Full licence texts are in {0}.</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>完整的许可证文本位于 {0}。</translation>
    </message>
    <message>
        <location filename="../../studio/ui/about.py" line="25" />
        <source>A local, private AI creative studio. Nothing leaves your machine.</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>本地、私密的 AI 创作工作室。任何数据都不会离开您的电脑。</translation>
    </message>
</context>
<context>
    <name>edits</name>
    <message>
        <source>Paint mask</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>绘制蒙版</translation>
    </message>
    <message>
        <source>Erase</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>擦除</translation>
    </message>
    <message>
        <source>Brush stroke</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>画笔笔触</translation>
    </message>
    <message>
        <source>Add layer</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>添加图层</translation>
    </message>
    <message>
        <source>Delete layer</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>删除图层</translation>
    </message>
    <message>
        <source>Reorder layers</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>调整图层顺序</translation>
    </message>
    <message>
        <source>Rename layer</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>重命名图层</translation>
    </message>
    <message>
        <source>Layer opacity</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>图层不透明度</translation>
    </message>
    <message>
        <source>Show/hide layer</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>显示/隐藏图层</translation>
    </message>
    <message>
        <source>Merge down</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>向下合并</translation>
    </message>
    <message>
        <source>Fill</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>填充</translation>
    </message>
    <message>
        <source>Set mask</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>设置蒙版</translation>
    </message>
    <message>
        <source>Select</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>选择</translation>
    </message>
    <message>
        <source>Deselect</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>取消选择</translation>
    </message>
    <message>
        <source>Move selection</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>移动选区</translation>
    </message>
    <message>
        <source>Move layer</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>移动图层</translation>
    </message>
    <message>
        <source>Scale layer</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>缩放图层</translation>
    </message>
    <message>
        <source>Resize canvas</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>调整画布大小</translation>
    </message>
    <message>
        <source>Crop</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>裁剪</translation>
    </message>
    <message>
        <source>Extend canvas</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>扩展画布</translation>
    </message>
    <message>
        <source>Mask from selection</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>从选区创建蒙版</translation>
    </message>
    <message>
        <source>Clear mask</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>清除蒙版</translation>
    </message>
    <message>
        <source>Fit canvas to image</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>使画布适应图像</translation>
    </message>
</context>
<context>
    <name>errors</name>
    <message>
        <location filename="../../studio/ui/errors.py" line="17" />
        <source>Studio</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>Studio</translation>
    </message>
    <message>
        <location filename="../../studio/ui/errors.py" line="33" />
        <source>Something unexpected went wrong: {0}. Your work is safe; you can keep working.</source>
        <translatorcomment>Added by hand: lupdate cannot attribute this string to the context it is looked up in at run time (see the i18n report); it is marked vanished if lupdate runs again before the source is fixed.</translatorcomment>
        <translation>发生意外错误：{0}。您的作品是安全的，可以继续工作。</translation>
    </message>
</context>
</TS>