# CPU of a running platform per process, sourced by bench/idle.sh and bench/lab.sh.
#   process_cpu <apphost-pid> <window-seconds>
# prints one line per process that used CPU ("  0.27 %  <command line>", share of the whole machine, largest first,
# at most 20) and a last line "whole platform: N.NN % of the machine (C cores) over W s". The tree is the AppHost's
# descendants plus DCP's process monitors and theirs (DCP starts the services outside the AppHost's own tree).
# Only utime+stime of each process is counted, never its children's, so nothing is counted twice. A process that ends
# during the window (a database backend under load) counts for nothing (`|| true`: under pipefail a
# vanished /proc entry must not end the measurement).
process_cpu() {
  local apphost="$1" window="$2" p d now total=0 report=""
  local hz cores; hz=$(getconf CLK_TCK); cores=$(nproc)
  _descendants() { echo "$1"; local c; for c in $(pgrep -P "$1"); do _descendants "$c"; done; }
  _tree() { { _descendants "$apphost"; for d in $(pgrep -f -- "--monitor $apphost " || true); do _descendants "$d"; done; } | sort -u; }
  _ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
  local -A before names
  for p in $(_tree); do before[$p]=$(_ticks "$p"); names[$p]=$(tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null | cut -c1-90 || true); done
  sleep "$window"
  for p in "${!before[@]}"; do
    now=$(_ticks "$p"); d=$(( now - ${before[$p]} )); [ "$d" -lt 0 ] && d=0; total=$(( total + d ))
    [ "$d" -gt 0 ] && report+="$(awk -v d="$d" -v hz="$hz" -v w="$window" -v c="$cores" 'BEGIN{printf "%6.2f %%", d/hz/w/c*100}')  ${names[$p]}"$'\n'
  done
  printf '%s' "$report" | sort -rn | head -20
  awk -v d="$total" -v hz="$hz" -v w="$window" -v c="$cores" -v n="${#before[@]}" \
    'BEGIN{printf "whole platform: %.2f %% of the machine (%d cores) over %d s, %d processes\n", d/hz/w/c*100, c, w, n}'
}
