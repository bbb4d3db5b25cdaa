"""Delivery of pushes (call events, CDRs, SMS and number-status events) to customers' servers."""
