# Sourced by ./narrowbert: which C allocator a command's JVM (and PyTorch inside it) runs with.
#
# glibc gives each thread that allocates its own malloc arena, up to 8 per core, and PyTorch's
# tensors of ever-changing shapes (the entity gate varies the queries per batch) fragment them:
# the job's RSS rose 149 MB per 100,000 reviews in a 60,000-review soak. Two arenas keep it flat
# (+10 MB per 100,000 over a 200,000-review soak; README "Guarantees"). Set MALLOC_ARENA_MAX to
# override.
#
# Training and evaluation free and reallocate tensors of tens of MB at every step. glibc gives each
# back to the kernel (it always maps allocations above 32 MB on their own), so the next step faults
# the pages in again, zeroed: fine-tuning the 12-layer model at 256 tokens spent about half of its
# CPU time in the kernel. jemalloc (which PyTorch's own CPU launcher, torch.backends.xeon.run_cpu,
# preloads too) keeps freed pages for 30 s before it gives them back (dirty_decay_ms), also for
# large allocations (oversize_threshold:0: no separate arena that returns them at once), in two
# arenas like glibc's above. Keeping them for ever (dirty_decay_ms:-1) grew the same run to 20 GB.
# So for these commands, when the machine has it (Debian and Ubuntu: libjemalloc2), it is
# preloaded. The job, the demo and the rest keep glibc, whose flat memory over weeks the soak
# measured. NARROWBERT_JEMALLOC=0 turns it off, NARROWBERT_JEMALLOC=FILE names the library;
# MALLOC_CONF, when set, is kept.

# Commands that run for minutes to hours and then exit.
NARROWBERT_BATCH_COMMANDS="pretrain distill finetune gate eval"

# jemalloc's settings for them (see above).
NARROWBERT_JEMALLOC_CONF="oversize_threshold:0,dirty_decay_ms:30000,muzzy_decay_ms:0,narenas:2"

# Where the Debian, Ubuntu, Fedora and Arch packages put the library.
NARROWBERT_JEMALLOC_PATHS="/usr/lib/x86_64-linux-gnu/libjemalloc.so.2 /usr/lib/aarch64-linux-gnu/libjemalloc.so.2
  /usr/lib64/libjemalloc.so.2 /usr/lib/libjemalloc.so.2"

# choose_allocator COMMAND: exports the environment for COMMAND. Prints one line and returns 1 when
# NARROWBERT_JEMALLOC names a file that is not there.
choose_allocator() {
  export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
  [[ " $NARROWBERT_BATCH_COMMANDS " == *" ${1:-} "* ]] || return 0
  local library="${NARROWBERT_JEMALLOC:-}" candidate
  [[ "$library" != 0 ]] || return 0
  if [[ -n "$library" ]]; then
    [[ -r "$library" ]] || { echo "narrowbert: NARROWBERT_JEMALLOC=$library: no such file" >&2; return 1; }
  else
    for candidate in $NARROWBERT_JEMALLOC_PATHS; do
      [[ -r "$candidate" ]] && { library="$candidate"; break; }
    done
    [[ -n "$library" ]] || return 0
  fi
  export LD_PRELOAD="$library${LD_PRELOAD:+:$LD_PRELOAD}"
  export MALLOC_CONF="${MALLOC_CONF:-$NARROWBERT_JEMALLOC_CONF}"
}
