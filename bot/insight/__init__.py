"""Insight: the numbers behind /dibs stats, the weekly digest and its chart, the Home tab, and export."""
