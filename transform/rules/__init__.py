"""The rule families, one module each, every one producing Relations over a parsed sentence or the text."""
