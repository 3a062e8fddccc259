#!/usr/bin/env python3
"""Learner page sizes against the page budget of DESIGN §5 (a page ≤ 30 KB compressed: HTML +
CSS + JS, media excluded). Starts the release server on a fresh SQLite database, registers a
learner, walks the basic course (every lesson, a failed and a passed quiz, the certificate, the
competence profile) and prints, per page, the gzip size the server sends (it compresses with
gzip when asked) plus the stylesheet and script each page loads.

    python3 bench/page_sizes.py            (needs target/release/hocvuso)
"""
import gzip, html.parser, http.cookiejar, os, re, subprocess, sys, tempfile, time, urllib.parse, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "hocvuso")
QUIZ = os.path.join(ROOT, "content", "courses", "ky-nang-so-co-ban", "quiz.toml")
BUDGET = 30 * 1024


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **k):
        return None


def main():
    import tomllib
    quiz = tomllib.load(open(QUIZ, "rb"))["questions"]
    # prompt → the right options (one, or a list for "choose all that apply" questions)
    right = {q["prompt"]: {q["options"][i] for i in (q["correct"] if isinstance(q["correct"], list) else [q["correct"]])}
             for q in quiz}
    work = tempfile.mkdtemp(prefix="hocvuso-pages-")
    port = 18000 + os.getpid() % 1000
    base = f"http://127.0.0.1:{port}"
    log_path = os.path.join(work, "server.log")
    log = open(log_path, "w")
    # The development SMS adapter logs the registration code; the walk reads it from here.
    server = subprocess.Popen([BIN, "serve", "--listen", f"127.0.0.1:{port}", "--database",
                               f"sqlite://{work}/x.db"], cwd=ROOT, stdout=subprocess.DEVNULL,
                              stderr=log)
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except Exception:
                time.sleep(0.1)
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
        sizes = {}

        def fetch(path, data=None, name=None):
            req = urllib.request.Request(base + path, headers={"Accept-Encoding": "gzip"},
                                         data=urllib.parse.urlencode(data).encode() if data is not None else None)
            try:
                res = opener.open(req, timeout=30)
            except urllib.error.HTTPError as e:
                if e.code in (302, 303):
                    return e.headers["Location"], None
                raise
            raw = res.read()
            body = gzip.decompress(raw) if res.headers.get("Content-Encoding") == "gzip" else raw
            if name:
                sizes[name] = (len(raw), body.decode())
            return None, body.decode()

        def csrf(page):
            return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

        # Registration in three steps: the phone, the code sent by SMS, then the details.
        _, page = fetch("/dang-ky", name="/dang-ky")
        loc, _ = fetch("/dang-ky", {"csrf_token": csrf(page), "phone": "0912345678"})
        _, page = fetch(loc, name="/dang-ky/ma")
        time.sleep(0.2)
        codes = re.findall(r"Ma xac nhan dang ky Hoc vu so: (\d{6})", open(log_path).read())
        assert codes, "no registration code in the server log"
        loc, _ = fetch("/dang-ky/ma", {"csrf_token": csrf(page), "phone": "0912345678",
                                       "code": codes[-1]})
        assert loc == "/dang-ky/thong-tin", loc
        _, page = fetch(loc, name="/dang-ky/thong-tin")
        loc, _ = fetch(loc, {"csrf_token": csrf(page), "full_name": "Nguyễn Thị Hoa",
                             "birth_year": "1960", "commune_code": "22918",
                             "password": "mat-khau-rat-dai", "consent": "1"})
        assert loc == "/hoc", loc
        fetch("/hoc", name="/hoc")
        fetch("/khoa-hoc/ky-nang-so-co-ban", name="/khoa-hoc/ky-nang-so-co-ban")
        path = "/khoa-hoc/ky-nang-so-co-ban/bai/1"
        while "/bai/" in path:
            _, page = fetch(path, name=path)
            path, _ = fetch(path, {"csrf_token": csrf(page)})
        _, page = fetch(path, name=path)
        attempt, _ = fetch(path, {"csrf_token": csrf(page)})
        _, page = fetch(attempt, name="/bai-lam/{id} (quiz, 12 questions)")
        fields = [("csrf_token", csrf(page))]
        for m in re.finditer(r'<legend>(.*?)</legend>(.*?)</fieldset>', page, re.S):
            prompt = html.unescape(re.sub(r"<[^>]+>", "", m.group(1))).strip()
            prompt = prompt.removesuffix("(chọn tất cả phương án đúng)").strip()
            prompt = re.sub(r"^Câu \d+\.\s*", "", prompt)
            for o in re.finditer(r'<input type="(?:radio|checkbox)" name="(q\d+)" value="(\d+)" id="([^"]+)"[^>]*>\s*<label for="\3">(.*?)</label>', m.group(2), re.S):
                if html.unescape(o.group(4)).strip() in right.get(prompt, set()):
                    fields.append((o.group(1), o.group(2)))
        result, _ = fetch(attempt, fields)
        _, page = fetch(result, name="/bai-lam/{id}/ket-qua (passed)")
        cert = re.search(r'href="(/chung-nhan/[a-z0-9]+)"', page).group(1)
        fetch(cert, name="/chung-nhan/{code}")
        fetch("/hoc/nang-luc", name="/hoc/nang-luc")
        fetch("/khoa-hoc/ky-nang-so-co-ban/bai/5?kt1=0", name="/khoa-hoc/ky-nang-so-co-ban/bai/5?kt1=0 (check answered)")
        fetch("/hoc?nhom=adults", name="/hoc?nhom=adults")
        fetch("/chung-nhan/kiem-tra-tep", name="/chung-nhan/kiem-tra-tep")
        fetch("/tin-tuc", name="/tin-tuc")
        assets = {}
        for name, (_, body) in sizes.items():
            for ref in re.findall(r'(?:href|src)="(/static/[^"]+\.(?:css|js))"', body):
                if ref not in assets:
                    assets[ref] = len(opener.open(urllib.request.Request(base + ref, headers={"Accept-Encoding": "gzip"})).read())
        print(f"{'page':48} {'HTML gz':>8} {'+CSS/JS gz':>10} {'total':>7}  budget 30 KB")
        worst = 0
        for name, (gz, body) in sizes.items():
            extra = sum(assets[r] for r in set(re.findall(r'(?:href|src)="(/static/[^"]+\.(?:css|js))"', body)))
            total = gz + extra
            worst = max(worst, total)
            print(f"{name:48} {gz/1024:7.1f}K {extra/1024:9.1f}K {total/1024:6.1f}K  {'met' if total <= BUDGET else 'NOT MET'}")
        print(f"largest: {worst/1024:.1f} KB of 30 KB")
        return 0 if worst <= BUDGET else 1
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    import html
    sys.exit(main())
