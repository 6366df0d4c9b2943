"""The playground's animation as data.

The set-up and the pipeline it runs (``playground``), step records (``steps``), the timeline of
scrubber positions (``timeline``), the frame painted at each position (``frames``) and its
arithmetic written out (``arithmetic``).
"""
