#!/usr/bin/env python3
"""Worker crash recovery, measured from the outside (issue 17 item 4).

Against a running local mesh: starts a second worker-service as its own process (min-workers 1, model digits),
uploads digits jobs at a steady rate, kill -9s the second worker while it holds dispatch partitions, keeps
uploading, waits until every job is terminal, and prints how long jobs waited because of the crash.

  (mesh started with WORKER_MIN_WORKERS=1, from the project root)
  python3 load-tests/scripts/worker-kill-recovery.py --secret <operator client secret> \
      --worker-jar worker-service/target/worker-service-0.1.0-SNAPSHOT-exec.jar --before 20 --after 40
"""
import argparse, base64, json, os, signal, subprocess, sys, time, urllib.request, urllib.parse
from datetime import datetime
import boto3

p = argparse.ArgumentParser()
p.add_argument("--secret", required=True)
p.add_argument("--worker-jar", required=True)
p.add_argument("--java", default="/usr/lib/jvm/temurin-25-jdk-amd64/bin/java")
p.add_argument("--rate", type=float, default=5.0)
p.add_argument("--before", type=float, default=20.0)
p.add_argument("--after", type=float, default=60.0)
p.add_argument("--s3", default="http://127.0.0.1:9000")
p.add_argument("--kafka", default="127.0.0.1:9092")
p.add_argument("--idp", default="http://127.0.0.1:9090")
p.add_argument("--api", default="http://127.0.0.1:8080")
p.add_argument("--run", default=str(int(time.time())))
a = p.parse_args()

def token():
    req = urllib.request.Request(a.idp + "/oauth2/token", data=b"grant_type=client_credentials",
        headers={"Authorization": "Basic " + base64.b64encode(("infermesh-operator:" + a.secret).encode()).decode()})
    return json.load(urllib.request.urlopen(req))["access_token"]

def get(url, tok):
    return json.load(urllib.request.urlopen(urllib.request.Request(url, headers={"Authorization": "Bearer " + tok})))

env = dict(os.environ, KAFKA_BOOTSTRAP_SERVERS=a.kafka, S3_ENDPOINT=a.s3, S3_ACCESS_KEY="infermesh",
           S3_SECRET_KEY="infermesh-secret", INFERMESH_RESULTS_BUCKET="infermesh", INFERMESH_MODELS_DIR="models",
           INFERMESH_WORKER_MODELS="digits", WORKER_MIN_WORKERS="1", WORKER_PORT="8093",
           WORKER_MANAGEMENT_PORT="18093", INFERMESH_ISSUER_URI=a.idp)
log = open("/tmp/worker2-%s.log" % a.run, "w")
w2 = subprocess.Popen([a.java, "--enable-native-access=ALL-UNNAMED", "-Xmx512m", "-jar", a.worker_jar], env=env,
                      stdout=log, stderr=subprocess.STDOUT)
tok = token()
deadline = time.time() + 120
while True:
    try:
        pools = get("http://127.0.0.1:18093/actuator/pools", tok)
        if "digits" in json.dumps(pools) and '"workers": 1' in json.dumps(pools).replace('"workers":1', '"workers": 1'):
            break
    except Exception:
        pass
    if time.time() > deadline or w2.poll() is not None:
        sys.exit("the second worker did not start consuming; see " + log.name)
    time.sleep(0.5)
print("second worker consuming (pid %d)" % w2.pid, flush=True)

s3 = boto3.client("s3", endpoint_url=a.s3, aws_access_key_id="infermesh", aws_secret_access_key="infermesh-secret",
                  region_name="us-east-1")
body = open("models/digits/samples/digit-3.png", "rb").read()
owner = "kill" + a.run
start = time.time(); n = 0; killed_at = None
while time.time() - start < a.before + a.after:
    due = start + n / a.rate
    if due > time.time():
        time.sleep(due - time.time())
    s3.put_object(Bucket="infermesh", Key="inbox/digits/%s/%05d.png" % (owner, n), Body=body, ContentType="image/png")
    n += 1
    if killed_at is None and time.time() - start >= a.before:
        os.kill(w2.pid, signal.SIGKILL); killed_at = time.time()
        print("kill -9 of the second worker at upload %d" % n, flush=True)
w2.wait()

def ts(s): return datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()
deadline = time.time() + 300
while True:
    tok = token(); jobs = []; cursor = None
    while True:
        q = {"owner": owner, "limit": "500"}
        if cursor: q["cursor"] = cursor
        page = get(a.api + "/api/jobs?" + urllib.parse.urlencode(q), tok)
        jobs += page["jobs"]; cursor = page.get("nextCursor")
        if not cursor: break
    open_ = [j for j in jobs if j["status"] not in ("SUCCEEDED", "FAILED", "CANCELLED")]
    if len(jobs) >= n and not open_: break
    if time.time() > deadline:
        print("NOT ALL TERMINAL: %d jobs of %d uploads, %d open" % (len(jobs), n, len(open_))); break
    time.sleep(1)
lat_before, lat_after, waited = [], [], []
for j in jobs:
    t = j["timestamps"]; p_ = ts(t["PENDING"]); end = ts(t.get("SUCCEEDED") or t.get("FAILED") or j["updatedAt"])
    (lat_before if p_ < killed_at - 1 else lat_after).append(end - p_)
    if p_ < killed_at + 30: waited.append(end - max(p_, killed_at))
status = {}
for j in jobs: status[j["status"]] = status.get(j["status"], 0) + 1
attempts = sum(1 for j in jobs if j["attempt"] > 1)
lat_before.sort(); lat_after.sort()
print("uploads %d, jobs %d, by status %s, later attempts %d" % (n, len(jobs), status, attempts))
print("upload->terminal before the kill: p50 %.3f s, max %.3f s" % (lat_before[len(lat_before)//2], lat_before[-1]))
print("upload->terminal after the kill:  p50 %.3f s, max %.3f s" % (lat_after[len(lat_after)//2], lat_after[-1]))
print("RECOVERY: the longest a job waited after the kill: %.1f s" % max(waited))
