"""The writing workspace's document model: drafts, generated spans, context, storage. Qt-free."""
