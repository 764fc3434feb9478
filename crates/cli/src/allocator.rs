//! The process allocator, and how an import tunes it.

/// mimalloc rather than the system allocator. An import holds a whole crawl batch of
/// small strings while the extractor allocates and frees 8–64 KB decoder buffers per
/// gzip member; glibc's allocator fragments under that pattern (resident memory was 4×
/// the live data), mimalloc's size-segregated pages do not, and it is faster per call.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay` (the same position in its v2 and v3 option enums;
/// `libmimalloc-sys` names the options around it but not this one).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Keeps freed memory in the process instead of handing it back to the system after
/// mimalloc's default second (its v3, the one built here). An import allocates and frees the same large buffers over
/// and over (record batches, column chunks, decoder buffers); returned to the system,
/// each came back as fresh pages the kernel had to zero again, which was 15 % of an
/// import's CPU time at 10M links. Kept, the import ran 10–14 % faster for about a sixth
/// more peak memory (docs/perf-log.md, "Import: keeping freed memory"). Only for
/// one-shot jobs: a server should give memory back.
#[allow(unsafe_code)]
pub fn keep_freed_memory() {
    // SAFETY: `mi_option_set` only stores an option value; mimalloc reads this option
    // whenever it considers purging, so setting it at any time is allowed.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1) };
}

#[cfg(test)]
mod tests {
    use super::MI_OPTION_PURGE_DELAY;

    /// The option number is mimalloc's purge delay: mimalloc v3 starts it at 1,000 ms,
    /// which no neighbouring option has (a renumbering would most likely show here).
    #[test]
    #[allow(unsafe_code)]
    fn the_option_set_is_the_purge_delay() {
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
            return; // the environment chose a value; nothing to compare with
        }
        // SAFETY: reading an option has no preconditions.
        let delay = unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) };
        assert_eq!(delay, 1_000);
    }
}
