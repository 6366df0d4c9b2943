"""The digit lab: draw a digit, watch the CNN classify it, look inside every layer."""
