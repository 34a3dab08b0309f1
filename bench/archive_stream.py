"""Memory of our server while it streams mbox downloads (bench/archive.py)."""
import threading
import time
import urllib.request


def rss_kb(pid):
    with open(f'/proc/{pid}/status') as f:
        for line in f:
            if line.startswith('VmRSS:'):
                return int(line.split()[1])
    return 0


def measure_stream(target, fx, fetch, make_opener, log):
    """Peak resident memory of our server while it streams a month's mbox,
    then the whole archive's: (label, bytes, first byte s, total s, peak
    growth over the RSS before the request, KiB)."""
    pid = target['proc'].pid
    g = fx['group_slug']
    out = []
    fetch(make_opener(), target['port'], 'GET', f"/groups/{g}/mbox?month={fx['month_begin'][:7]}", None)  # warm-up
    for label, path in (('one month', f"/groups/{g}/mbox?month={fx['month_begin'][:7]}"),
                        ('whole archive', f'/groups/{g}/mbox')):
        base = rss_kb(pid)
        peak = [base]
        done = threading.Event()

        def sample():
            while not done.is_set():
                peak[0] = max(peak[0], rss_kb(pid))
                time.sleep(0.005)
        sampler = threading.Thread(target=sample)
        sampler.start()
        t0 = time.perf_counter()
        size = 0
        with urllib.request.urlopen(f"http://127.0.0.1:{target['port']}{path}", timeout=3600) as response:
            first = response.read(65536)
            first_byte = time.perf_counter() - t0
            size = len(first)
            while chunk := response.read(65536):
                size += len(chunk)
        total = time.perf_counter() - t0
        done.set()
        sampler.join()
        out.append({'label': label, 'path': path, 'bytes': size, 'first_byte_s': first_byte, 'total_s': total,
                    'rss_before_kb': base, 'peak_growth_kb': peak[0] - base})
        log(f"[archive] mbox {label}: {size / 1e6:.1f} MB in {total:.2f} s (first byte {first_byte * 1000:.0f} ms), "
            f"RSS {base / 1024:.0f} MiB, peak +{(peak[0] - base) / 1024:.1f} MiB")
    return out
