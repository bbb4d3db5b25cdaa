"""Call recordings: A-law WAV files, where they are kept (a path-free store) and their catalog rows."""
