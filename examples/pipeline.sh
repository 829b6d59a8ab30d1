#!/usr/bin/env bash
# The seed tutorial's labeling pipeline through the annobridge command line alone; it runs unchanged on either backend:
#
#   ANNOBRIDGE_TOKEN=... bash examples/pipeline.sh supervisely+http://127.0.0.1:8000
#   ANNOBRIDGE_TOKEN=... bash examples/pipeline.sh labelstudio+http://127.0.0.1:8080
#
# The token comes from ANNOBRIDGE_TOKEN: every command is given --token-env ANNOBRIDGE_TOKEN, so it is never on a
# command line and never printed. Steps: two labelers, a project made from a schema file, its items, jobs for the two
# labelers, the jobs' status, pre-labeling by a (toy) model, a wait, stats, archive, an export and its download.
# A step this backend cannot do exits 6 with the reason; the script prints "skipped" with that reason and goes on.
# At the end (also after a failure or Ctrl-C) it removes the jobs and the project it made; the labelers stay.
#
# Optional environment: PYTHON (a Python with annobridge, for the model step; default python3), ANNOBRIDGE (the
# command; default annobridge, else "$PYTHON -m annobridge.cli"), OUT (a directory that keeps the exports and the
# label files; default: a temporary one, removed), LABELER_PASSWORD (the labelers' password if they are made).
set -euo pipefail

URL=${1:?usage: ANNOBRIDGE_TOKEN=... bash examples/pipeline.sh BACKEND_URL}
: "${ANNOBRIDGE_TOKEN:?set ANNOBRIDGE_TOKEN to the API token of the backend}"
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PYTHON=${PYTHON:-python3}
if [ -n "${ANNOBRIDGE:-}" ]; then read -r -a AB <<< "$ANNOBRIDGE"
elif command -v annobridge > /dev/null; then AB=(annobridge)
else AB=("$PYTHON" -m annobridge.cli); fi
export LABELER_PASSWORD=${LABELER_PASSWORD:-Labeler-Passw0rd-1}
WORK=$(mktemp -d)
OUT=${OUT:-$WORK/out}
mkdir -p "$OUT"
RUN=$(date +%H%M%S)-$$
PROJECT_ID="" JOBS=()

ab() { "${AB[@]}" "$@" --backend "$URL" --token-env ANNOBRIDGE_TOKEN; }

# maybe CMD...: run an annobridge command, its output in $got (and shown). Exit 6 (not on this backend) prints
# "skipped" and the reason and returns 1, so `if maybe ...; then ...; else ...; fi` branches; other failures stop.
maybe() {
  local rc=0
  ab "$@" > "$WORK/stdout" 2> "$WORK/stderr" || rc=$?
  got=$(cat "$WORK/stdout")
  if [ "$rc" -eq 6 ]; then
    echo "  skipped: $(sed 's/^annobridge: error: //' "$WORK/stderr")"
    return 1
  fi
  if [ "$rc" -ne 0 ]; then cat "$WORK/stderr" >&2; exit "$rc"; fi
  if [ -n "$got" ]; then printf '%s\n' "$got"; fi
}

step() { printf '\n== %s\n' "$*"; }

cleanup() {
  local rc=$?
  set +e
  trap - EXIT INT TERM
  step "Clean up what the pipeline made"
  if [ ${#JOBS[@]} -gt 0 ]; then ab jobs delete "${JOBS[@]}" --yes; fi
  if [ -n "$PROJECT_ID" ]; then ab projects delete "$PROJECT_ID" --yes; fi
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step "Step 1. Labelers, and their role in the team"
for login in labeler_1 labeler_2; do
  rc=0
  ab users create "$login" --email "$login@example.com" --password-env LABELER_PASSWORD > /dev/null 2>&1 || rc=$?
  case $rc in
    0) echo "  made $login" ;;
    5) echo "  $login is there already" ;;  # exit 5: the login is taken
    *) ab users create "$login" --email "$login@example.com" --password-env LABELER_PASSWORD ;;  # shows why
  esac
  maybe users add-member "$login" --role annotator || true
done

step "Step 2. The project, from a schema file, and its items"
cat > "$WORK/schema.json" << 'JSON'
{
  "classes": [
    {"name": "kiwi", "shape": "rectangle", "color": "#D0021B"},
    {"name": "lemon", "shape": "rectangle", "color": "#50E3C2"}
  ],
  "tags": [
    {"name": "origin", "value_type": "any_string", "applies_to": "objects_only"},
    {"name": "size", "value_type": "oneof_string", "values": ["small", "medium", "large"], "applies_to": "objects_only"}
  ]
}
JSON
PROJECT_ID=$(ab projects create "Lemons pipeline $RUN" --schema "$WORK/schema.json" \
  --description "6 images of lemons and kiwi fruits")
echo "  project $PROJECT_ID"
ab items add "$PROJECT_ID" "$HERE/data/lemons" > "$WORK/items.txt"
mapfile -t ITEMS < "$WORK/items.txt"
echo "  ${#ITEMS[@]} items: ${ITEMS[*]}"
FIRST_HALF=$(IFS=,; echo "${ITEMS[*]:0:${#ITEMS[@]}/2}")

step "Step 3. Jobs for two labelers"
README="annotation manual for fruits in markdown format here (optional)"
printf '%s\n' "$README" > "$WORK/readme.md"
# Where the backend cannot give a job to people (or limit it), it exits 6 and the job is made without them.
if maybe jobs create labeler1_lemons_task --project "$PROJECT_ID" --annotator labeler_1 --classes lemon \
    --readme "$WORK/readme.md" --description "short description is here (optional)"; then JOB1=$got
else
  JOB1=$(ab jobs create labeler1_lemons_task --project "$PROJECT_ID" --classes lemon --readme "$WORK/readme.md")
fi
JOBS+=("$JOB1")
if maybe jobs create labeler2_kiwi_task --project "$PROJECT_ID" --annotator labeler_2 --classes kiwi \
    --tags size,origin --items "$FIRST_HALF" --objects-limit 10 --tags-limit 20; then JOB2=$got
else
  JOB2=$(ab jobs create labeler2_kiwi_task --project "$PROJECT_ID" --classes kiwi --tags size,origin \
    --items "$FIRST_HALF")
fi
JOBS+=("$JOB2")
echo "  jobs $JOB1 and $JOB2"
ab jobs list --project "$PROJECT_ID"

step "Statuses"
for job in "$JOB1" "$JOB2"; do echo "  job $job: $(ab jobs status "$job")"; done

step "Pre-labeling: a model's boxes on the lemon job's items"
ab items list --job "$JOB1" --jsonl > "$WORK/job_items.jsonl"
# The model: any program writing neutral ItemAnnotation JSON Lines; here the examples' toy fruit detector.
"$PYTHON" - "$WORK/job_items.jsonl" "$HERE" lemon > "$OUT/model.jsonl" << 'PY'
import json, sys
from pathlib import Path

here = Path(sys.argv[2])
sys.path.insert(0, str(here))
import fruit_model

photos = sorted((here / "data" / "lemons").glob("*.jpeg"))
for line in open(sys.argv[1]):
    item = json.loads(line)
    photo = next((p for p in photos if str(item.get("name") or "").endswith(p.name)), None)
    if photo is not None:
        found = fruit_model.detect(photo)
        boxes = [o for o in found.objects if o.class_name in sys.argv[3:]]  # the classes the job labels
        print(json.dumps(found.model_copy(update={"item": item["id"], "objects": tuple(boxes)}).model_dump(mode="json")))
PY
echo "  the model labeled $(wc -l < "$OUT/model.jsonl") items"
# Predictions where the backend keeps them apart; else the items' annotations, their objects marked as a model's.
if ! maybe predictions import --job "$JOB1" "$OUT/model.jsonl" --model-version "fruit-colours-1" --score 0.9; then
  ab annotations import --job "$JOB1" "$OUT/model.jsonl" --mode replace
fi
ab annotations export --job "$JOB1" --out "$OUT/labels.jsonl" > /dev/null 2>&1
echo "  the job's items hold $(wc -l < "$OUT/labels.jsonl") annotations (in $OUT/labels.jsonl; predictions stay apart)"

step "Wait"
# Where jobs are steered (stop), stop the kiwi job and wait until it is stopped; where a job's status follows its
# tasks alone, wait for the status it has (a labeler's work would move it on).
if maybe jobs stop "$JOB2"; then
  ab jobs wait "$JOB2" --status stopped --timeout 60 --interval 0.5 --quiet
else
  ab jobs wait "$JOB2" --status "$(ab jobs status "$JOB2")" --timeout 60 --interval 0.5 --quiet
fi

step "Stats"
ab jobs stats "$JOB1"

step "Export and download"
EXPORT=$(ab exports create "$JOB1" --to "$OUT/exports")
echo "  exported to $EXPORT"
# Where the server keeps export snapshots, a later command can fetch one by its id.
if maybe exports list "$JOB1"; then
  SNAPSHOT=$(ab exports create "$JOB1" --wait)
  echo "  snapshot $SNAPSHOT downloaded to $(ab exports download "$JOB1" "$SNAPSHOT" --to "$OUT/snapshots")"
fi

step "Archive"
if maybe jobs archive "$JOB1"; then ab jobs list --project "$PROJECT_ID" --archived; fi

step "Done: project $PROJECT_ID, jobs ${JOBS[*]} on $URL"
