"""Call records as the management plane shows them: masking of real numbers, a call's result, the time
windows of listings, exports and statistics, and statistics buckets (Beijing days and months)."""
