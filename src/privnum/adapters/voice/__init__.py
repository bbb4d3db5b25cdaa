"""Voice files on the local disk: conversion with sox, the directory the media relay plays from, and the
prompts shipped with privnum (``defaults/<language>/<name>.0|.8``, made by ``scripts/make_prompts.sh``)."""
