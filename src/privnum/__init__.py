"""privnum: a self-hostable privacy-number platform that speaks Huawei Cloud PrivateNumber's API."""

__version__ = "0.1.0"
