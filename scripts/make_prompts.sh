#!/usr/bin/env bash
# Make the prompts shipped with privnum: src/privnum/adapters/voice/defaults/<language>/<name>.0 (PCMU)
# and .8 (PCMA), raw 8 kHz mono G.711, each at most 4 s (longer fails). Needs espeak-ng and sox (Debian:
# apt-get install espeak-ng sox). Without dither (sox -D) the same tools' versions give the same bytes;
# run it again after changing a text, and commit the files.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=src/privnum/adapters/voice/defaults
MAX_S=4

declare -A ZH=(
  [default_no_binding]="您拨打的号码未开通服务。"
  [default_service_error]="系统繁忙,请稍后再拨。"
  [default_enter_extension]="请输入分机号,按井号结束。"
  [default_wrong_extension]="分机号错误,请重新输入。"
)
declare -A EN=(
  [default_no_binding]="The number you dialled is not in service."
  [default_service_error]="Sorry, the service is unavailable. Please call again later."
  [default_enter_extension]="Please enter the extension, followed by the hash key."
  [default_wrong_extension]="Wrong extension. Please try again."
)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

make() {  # language, espeak-ng voice, words per minute, name, text
  local language=$1 voice=$2 speed=$3 name=$4 text=$5
  mkdir -p "$OUT/$language"
  espeak-ng -v "$voice" -s "$speed" -w "$work/speech.wav" "$text"
  # 8 kHz mono, the synthesizer's silence trimmed at both ends, peak at -3 dB, 0.1 s of silence before and after
  sox -V1 -R -D "$work/speech.wav" -r 8000 -c 1 -b 16 "$work/prompt.wav" \
    silence 1 0.02 0.5% reverse silence 1 0.02 0.5% reverse gain -n -3 pad 0.1 0.1
  if awk -v d="$(soxi -D "$work/prompt.wav")" -v max="$MAX_S" 'BEGIN { exit !(d > max) }'; then
    echo "$language/$name plays longer than $MAX_S s: shorten the text or speak faster" >&2
    exit 1
  fi
  sox -V1 -R -D "$work/prompt.wav" -t raw -e u-law -b 8 "$OUT/$language/$name.0"
  sox -V1 -R -D "$work/prompt.wav" -t raw -e a-law -b 8 "$OUT/$language/$name.8"
  printf '%s/%s: %s s\n' "$language" "$name" "$(soxi -D "$work/prompt.wav")"
}

for name in "${!ZH[@]}"; do make zh cmn 210 "$name" "${ZH[$name]}"; done
for name in "${!EN[@]}"; do make en en 165 "$name" "${EN[$name]}"; done
