"""The SIP telephony driver: sippy B2BUA + rtp.io media."""
