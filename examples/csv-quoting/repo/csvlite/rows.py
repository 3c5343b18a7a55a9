def split_row(line):
    """Split one CSV line into fields."""
    return [f.strip() for f in line.split(',')]
