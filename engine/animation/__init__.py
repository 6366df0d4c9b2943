"""The playground's animation as data: the set-up, the pipeline it runs, step records, the
timeline of scrubber positions, the frame painted at each position and its arithmetic text.
"""
