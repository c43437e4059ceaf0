"""Where issues come from: files, web pages and feeds. Each source yields text for the parser."""
