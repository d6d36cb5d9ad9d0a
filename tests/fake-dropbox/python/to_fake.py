"""A requests session that sends what Dropbox's Python SDK addresses to
Dropbox's hosts to the fake server at FAKE_DROPBOX_URL instead.

Shared by the fake's Python SDK test (tests/python_sdk.py) and
`cargo xtask bench transfer` (xtask/bench/transfer.py).
"""

import os

import requests

HOSTS = (
    "https://api.dropboxapi.com",
    "https://content.dropboxapi.com",
    "https://notify.dropboxapi.com",
)


class ToFake(requests.adapters.HTTPAdapter):
    """Rewrites each request's Dropbox host to the fake's URL."""

    def __init__(self, fake, **kwargs):
        self.fake = fake
        super().__init__(**kwargs)

    def send(self, request, **kwargs):
        for host in HOSTS:
            if request.url.startswith(host):
                request.url = self.fake + request.url[len(host):]
        return super().send(request, **kwargs)


def session():
    """A session for `dropbox.Dropbox(..., session=session())`."""
    s = requests.Session()
    s.mount("https://", ToFake(os.environ["FAKE_DROPBOX_URL"]))
    return s
