"""Interactions (view, click, save, call, visit): the behaviour that feeds recommendations."""
