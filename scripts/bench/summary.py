#!/usr/bin/env python3
"""Prints the `summary` object of an mfa-batch JSON report as `key=value` words.

  summary.py REPORT.json

The report's keys come in a fixed order (`run`, `summary`, `tenants`, `rows`), so
only the beginning of the file is decoded: a 1M-row report is hundreds of MiB.
"""
import json
import sys


def summary(path):
    decoder = json.JSONDecoder()
    with open(path) as f:
        text = f.read(1 << 20)
    try:
        i = text.index("{") + 1
        while True:
            while text[i] in " \t\r\n,":
                i += 1
            key, i = decoder.raw_decode(text, i)
            while text[i] in " \t\r\n:":
                i += 1
            value, i = decoder.raw_decode(text, i)
            if key == "summary":
                return value
    except (ValueError, IndexError):
        with open(path) as f:
            return json.load(f)["summary"]


if __name__ == "__main__":
    print(" ".join(f"{k}={v}" for k, v in summary(sys.argv[1]).items()))
