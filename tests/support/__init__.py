"""What many tests share: demo pages copied to a folder, warehouse rows built as production builds them,
runs staged and loaded through the functions the flow calls, and table counts."""
