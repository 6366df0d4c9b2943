"""Hostile inputs through the real entry points: every outcome a correct result or a refusal."""
