//! The allocator of specdrift's binaries (feature `mimalloc`): mimalloc, told to keep the
//! memory it frees instead of handing it back to the system.
//!
//! Generation builds and drops millions of small token trees on every core, and `verify`
//! frees on one thread what another parsed. With glibc's allocator Stripe's full crate spends
//! a quarter of its time in `malloc`/`free`; with mimalloc's defaults a third of it in the
//! kernel, zeroing the pages mimalloc returned a few milliseconds earlier and now faults back
//! in. Keeping them costs nothing a short-lived command line needs.
#![allow(unsafe_code)]

/// The allocator: `#[global_allocator] static A: generator::allocator::Allocator = generator::allocator::ALLOCATOR;`
pub type Allocator = mimalloc::MiMalloc;

/// The one value of [`Allocator`].
pub const ALLOCATOR: Allocator = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in mimalloc 2's `mimalloc.h` (the Rust binding names no constant for
/// it): how many milliseconds freed memory waits before it is returned; -1 is never.
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Tells the allocator never to return freed memory to the system, and the kernel to back this
/// process with ordinary pages only; call first thing in `main`.
///
/// mimalloc reserves its arena aligned to 2 MiB and asks for transparent huge pages there. Each
/// first touch then faults in (and zeroes) a whole 2 MiB page, and when the kernel has none free
/// it compacts memory to make one, in the faulting thread: Stripe's full crate took 0.75 to
/// 1.2 s of wall time with huge pages (0.05 to 0.77 s of it in the kernel, depending on how
/// fragmented the machine's memory was) and a steady 0.84 s without. mimalloc's own switch
/// (`allow_thp`) is read when it starts, before `main`, so this asks the kernel directly; the
/// setting applies to the memory already mapped too, and is inherited by child processes.
pub fn keep_freed_memory() {
    // SAFETY: `mi_option_set` takes an option number and a value and may be called at any time
    // from any thread; 15 is `mi_option_purge_delay` in the mimalloc 2 sources the `v2`
    // feature builds, where -1 is the documented "no purging at all".
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, -1) }
    no_huge_pages();
}

#[cfg(target_os = "linux")]
fn no_huge_pages() {
    // SAFETY: `prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0)` reads no memory of ours and only sets a
    // flag on this process (Linux 3.15 and later; an older kernel answers EINVAL, which
    // changes nothing, so the result is not looked at).
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

#[cfg(not(target_os = "linux"))]
fn no_huge_pages() {}
