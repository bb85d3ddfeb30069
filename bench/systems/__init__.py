"""Reference servers for the load benchmark: the sync "before" picture and the async floor."""
