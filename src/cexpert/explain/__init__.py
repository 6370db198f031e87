"""Explanations of a consultation: why, why not, what if, and the replayed trace."""
