"""The official Python SDK's transfer helpers, for `cargo xtask bench transfer`.

usage: transfer.py upload LOCAL REMOTE | download REMOTE LOCAL
with FAKE_DROPBOX_URL and FAKE_DROPBOX_TOKEN in the environment: the
SDK's requests go to the fake server through a session whose adapter
rewrites Dropbox's hosts. Uses dropbox.file_transfer with its defaults.
"""

import os
import sys

import dropbox
from dropbox import file_transfer
from dropbox.files import CommitInfo, WriteMode

sys.path.insert(
    0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "fake-dropbox", "python")
)
from to_fake import session  # noqa: E402

def main():
    dbx = dropbox.Dropbox(oauth2_access_token=os.environ["FAKE_DROPBOX_TOKEN"], session=session())
    op, src, dst = sys.argv[1:4]
    if op == "upload":
        result = file_transfer.upload_file(dbx, src, CommitInfo(path=dst, mode=WriteMode.overwrite))
        print(result.metadata.content_hash)
    elif op == "download":
        result = file_transfer.download_file(dbx, src, dst)
        print(result.metadata.content_hash)
    else:
        sys.exit("usage: transfer.py upload LOCAL REMOTE | download REMOTE LOCAL")


if __name__ == "__main__":
    main()
