"""Dropbox's official Python SDK (12.2.4) against the fake server.

Run by python_sdk.rs with FAKE_DROPBOX_URL, FAKE_DROPBOX_TOKEN and the
refresh token's app in the environment. Every check raises on failure;
the last line printed is "python sdk: all tasks passed".
"""

import os
import sys

import dropbox
from dropbox.exceptions import ApiError
from dropbox.files import CommitInfo, UploadSessionCursor, WriteMode

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
from to_fake import session  # noqa: E402

def check(cond, what):
    if not cond:
        raise AssertionError(what)
    print("ok:", what)


def common_tasks(dbx):
    account = dbx.users_get_current_account()
    check(account.email == "franz@example.com", "users_get_current_account")

    meta = dbx.files_upload(b"hello from python\n", "/Py/Hello.txt", mode=WriteMode.overwrite)
    check(meta.path_lower == "/py/hello.txt" and meta.size == 18, "files_upload")
    check(meta.content_hash == dropbox_hash(b"hello from python\n"), "content_hash")
    for i in range(4):
        dbx.files_upload(b"%d" % i, "/py/n%d.txt" % i)

    page = dbx.files_list_folder("/py", limit=2)
    names = [e.name for e in page.entries]
    pages = 1
    while page.has_more:
        page = dbx.files_list_folder_continue(page.cursor)
        names += [e.name for e in page.entries]
        pages += 1
    check(pages == 3 and len(names) == 5, "files_list_folder + continue: %d pages" % pages)

    md, res = dbx.files_download("/py/hello.txt")
    check(res.content == b"hello from python\n" and md.rev == meta.rev, "files_download")

    link = dbx.sharing_create_shared_link_with_settings("/py/hello.txt")
    check(link.url.startswith("https://"), "sharing_create_shared_link_with_settings")
    try:
        dbx.sharing_create_shared_link_with_settings("/py/hello.txt")
        check(False, "a second link is refused")
    except ApiError as e:
        check(e.error.is_shared_link_already_exists(), "shared_link_already_exists")
        existing = e.error.get_shared_link_already_exists().get_metadata()
        check(existing.url == link.url, "shared_link_already_exists carries the link")

    found = dbx.files_search_v2("hello")
    paths = [m.metadata.get_metadata().path_lower for m in found.matches]
    check(paths == ["/py/hello.txt"], "files_search_v2")

    try:
        dbx.files_get_metadata("/py/missing")
        check(False, "get_metadata of a missing path fails")
    except ApiError as e:
        check(e.error.is_path() and e.error.get_path().is_not_found(), "get_metadata: path/not_found")

    start = dbx.files_upload_session_start(b"a" * 1000)
    cursor = UploadSessionCursor(session_id=start.session_id, offset=1000)
    dbx.files_upload_session_append_v2(b"b" * 1000, cursor)
    cursor.offset = 2000
    big = dbx.files_upload_session_finish(b"c" * 5, cursor, CommitInfo(path="/py/session.bin"))
    check(big.size == 2005, "upload session start / append_v2 / finish")
    try:
        dbx.files_upload_session_append_v2(b"x", UploadSessionCursor(session_id=start.session_id, offset=1))
    except ApiError as e:
        check(e.error.is_not_found(), "a finished session is gone")
    else:
        check(False, "appending to a finished session fails")


def dropbox_hash(data):
    import hashlib

    blocks = b"".join(
        hashlib.sha256(data[i : i + 4 * 1024 * 1024]).digest() for i in range(0, len(data), 4 * 1024 * 1024)
    )
    return hashlib.sha256(blocks).hexdigest()


def main():
    print("dropbox", dropbox.__version__, file=sys.stderr)
    with dropbox.Dropbox(oauth2_access_token=os.environ["FAKE_DROPBOX_TOKEN"], session=session()) as dbx:
        common_tasks(dbx)

    # The refresh-token flow: the SDK gets its access token from /oauth2/token.
    with dropbox.Dropbox(
        oauth2_refresh_token=os.environ["FAKE_DROPBOX_REFRESH_TOKEN"],
        app_key=os.environ["FAKE_DROPBOX_APP_KEY"],
        app_secret=os.environ["FAKE_DROPBOX_APP_SECRET"],
        session=session(),
    ) as dbx:
        meta = dbx.files_upload(b"refreshed", "/py/refreshed.txt")
        check(meta.size == 9, "upload with a refreshed token")
        check(dbx._oauth2_access_token is not None, "the access token came from the token endpoint")

    try:
        dropbox.Dropbox(oauth2_access_token="wrong", session=session()).users_get_current_account()
        check(False, "a wrong token is refused")
    except dropbox.exceptions.AuthError as e:
        check(e.error.is_invalid_access_token(), "401 invalid_access_token")
    print("python sdk: all tasks passed")


if __name__ == "__main__":
    main()
