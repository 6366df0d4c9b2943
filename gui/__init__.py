"""The CNN Visualizer's Qt views: they render what engine/ computes and do no arithmetic."""
