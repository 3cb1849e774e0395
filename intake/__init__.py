"""Bulk intake: the spreadsheets regional offices send, validated and started."""
