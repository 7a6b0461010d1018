//! The wasm allocator: segregated free lists of power-of-two blocks.
//!
//! A request of `size` bytes and alignment `align` gets a block of the next
//! power of two at least `max(size, align)`, aligned to its own size (up to a
//! wasm page). A freed block goes onto the free list of its size and is the
//! next one handed out for that size; new blocks come from a bump pointer over
//! pages taken with `memory.grow`. Blocks never merge or split, so a widget
//! that mounts, checks out and unmounts again and again reuses the same blocks
//! (`make bench-memory` checks that wasm memory stays flat).
//!
//! Why not the standard allocator (dlmalloc): it is 5.4 KB of code, about 2 KB
//! brotli, for coalescing and trimming that a checkout widget's few kilobytes of
//! short-lived state do not need. The logic here is plain Rust over a `grow`
//! function, so the host tests run it over an ordinary buffer.

use core::mem::size_of;

/// Bytes in a wasm memory page: `memory.grow` hands out whole pages.
pub const PAGE: usize = 65_536;

/// Free lists and the bump region. Not thread-safe: wasm32 without atomics
/// has one thread.
pub struct Heap {
    /// Head of the free list of blocks of `1 << k` bytes (0: empty). Each free
    /// block starts with the address of the next one.
    free: [usize; usize::BITS as usize],
    /// Next unused byte of the bump region.
    next: usize,
    /// End of the bump region.
    end: usize,
}

/// The block class of a request: `k` for blocks of `1 << k` bytes.
fn class(size: usize, align: usize) -> usize {
    let s = size.max(align).max(size_of::<usize>());
    (usize::BITS - (s - 1).leading_zeros()) as usize
}

impl Default for Heap {
    fn default() -> Self {
        Self::new()
    }
}

impl Heap {
    /// An empty heap: the first allocation grows memory.
    pub const fn new() -> Self {
        Self {
            free: [0; usize::BITS as usize],
            next: 0,
            end: 0,
        }
    }

    /// A block for `size` bytes aligned to `align`, or null when memory cannot
    /// grow (or `align` exceeds a page). `grow(pages)` adds `pages` pages and
    /// returns the address of the first, page-aligned, or `None`.
    ///
    /// # Safety
    /// `size` is non-zero, `align` a power of two, and `grow` returns memory
    /// that nothing else uses.
    pub unsafe fn alloc(
        &mut self,
        size: usize,
        align: usize,
        grow: impl FnOnce(usize) -> Option<usize>,
    ) -> *mut u8 {
        let k = class(size, align);
        if k >= self.free.len() || align > PAGE {
            return core::ptr::null_mut();
        }
        let head = self.free[k];
        if head != 0 {
            // SAFETY: a free block holds the address of the next free block.
            self.free[k] = unsafe { *(head as *const usize) };
            return head as *mut u8;
        }
        let block = 1usize << k;
        let fits = |next: usize, end: usize| {
            let start = next.checked_add(block.min(PAGE) - 1)? & !(block.min(PAGE) - 1);
            (start.checked_add(block)? <= end).then_some(start)
        };
        let start = match fits(self.next, self.end) {
            Some(start) => start,
            None => {
                let pages = block.div_ceil(PAGE);
                let Some(base) = grow(pages) else {
                    return core::ptr::null_mut();
                };
                // Contiguous with the region: extend it; otherwise start anew.
                if base != self.end {
                    self.next = base;
                }
                self.end = base + pages * PAGE;
                match fits(self.next, self.end) {
                    Some(start) => start,
                    None => return core::ptr::null_mut(),
                }
            }
        };
        self.next = start + block;
        start as *mut u8
    }

    /// Returns a block to its free list.
    ///
    /// # Safety
    /// `ptr` came from [`Heap::alloc`] with the same `size` and `align` and is
    /// not used again.
    pub unsafe fn dealloc(&mut self, ptr: *mut u8, size: usize, align: usize) {
        let k = class(size, align);
        // SAFETY: the block is at least a usize, aligned to one, and ours again.
        unsafe { *(ptr as *mut usize) = self.free[k] };
        self.free[k] = ptr as usize;
    }

    /// Resizes a block to `new_size` bytes: the same block while its class
    /// still holds them, otherwise a new block with the old bytes (as many as
    /// fit) and the old one freed. Null, with the old block untouched, when
    /// memory cannot grow.
    ///
    /// # Safety
    /// As for [`Heap::alloc`] and [`Heap::dealloc`]: `ptr` came from this heap
    /// with `size` and `align`, and `new_size` is non-zero.
    pub unsafe fn realloc(
        &mut self,
        ptr: *mut u8,
        size: usize,
        align: usize,
        new_size: usize,
        grow: impl FnOnce(usize) -> Option<usize>,
    ) -> *mut u8 {
        if class(size, align) == class(new_size, align) {
            return ptr;
        }
        // SAFETY: the old block stays valid until its bytes are copied.
        unsafe {
            let new = self.alloc(new_size, align, grow);
            if !new.is_null() {
                core::ptr::copy_nonoverlapping(ptr, new, size.min(new_size));
                self.dealloc(ptr, size, align);
            }
            new
        }
    }
}

/// The global allocator of the wasm build.
#[cfg(target_arch = "wasm32")]
pub struct Global(core::cell::UnsafeCell<Heap>);

// SAFETY: wasm32-unknown-unknown without the atomics feature has one thread.
#[cfg(target_arch = "wasm32")]
unsafe impl Sync for Global {}

#[cfg(target_arch = "wasm32")]
impl Default for Global {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(target_arch = "wasm32")]
impl Global {
    /// The allocator, empty.
    pub const fn new() -> Self {
        Self(core::cell::UnsafeCell::new(Heap::new()))
    }

    #[allow(clippy::mut_from_ref)]
    fn heap(&self) -> &mut Heap {
        // SAFETY: one thread, and no allocator call re-enters another.
        unsafe { &mut *self.0.get() }
    }
}

#[cfg(target_arch = "wasm32")]
fn grow(pages: usize) -> Option<usize> {
    let before = core::arch::wasm32::memory_grow(0, pages);
    (before != usize::MAX).then(|| before * PAGE)
}

#[cfg(target_arch = "wasm32")]
unsafe impl core::alloc::GlobalAlloc for Global {
    unsafe fn alloc(&self, layout: core::alloc::Layout) -> *mut u8 {
        // SAFETY: GlobalAlloc never asks for zero bytes; memory.grow memory is ours.
        unsafe { self.heap().alloc(layout.size(), layout.align(), grow) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: core::alloc::Layout) {
        // SAFETY: the caller passes back a block of ours with its layout.
        unsafe { self.heap().dealloc(ptr, layout.size(), layout.align()) }
    }

    unsafe fn realloc(
        &self,
        ptr: *mut u8,
        layout: core::alloc::Layout,
        new_size: usize,
    ) -> *mut u8 {
        // SAFETY: the caller passes back a block of ours with its layout.
        unsafe {
            self.heap()
                .realloc(ptr, layout.size(), layout.align(), new_size, grow)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Pages for the tests: a page-aligned buffer handed out in order.
    struct Pages {
        _buf: Vec<u8>,
        base: usize,
        used: usize,
        limit: usize,
    }

    impl Pages {
        fn new(limit: usize) -> Self {
            let buf = vec![0u8; (limit + 1) * PAGE];
            let base = (buf.as_ptr() as usize).next_multiple_of(PAGE);
            Self {
                _buf: buf,
                base,
                used: 0,
                limit,
            }
        }

        fn grow(&mut self, pages: usize) -> Option<usize> {
            (self.used + pages <= self.limit).then(|| {
                self.used += pages;
                self.base + (self.used - pages) * PAGE
            })
        }
    }

    #[test]
    fn classes_are_the_next_power_of_two() {
        assert_eq!(class(1, 1), size_of::<usize>().trailing_zeros() as usize);
        assert_eq!(class(16, 1), 4);
        assert_eq!(class(17, 1), 5);
        assert_eq!(class(3, 32), 5);
        assert_eq!(class(PAGE + 1, 8), 17);
    }

    #[test]
    fn a_freed_block_is_the_next_one_of_its_size() {
        let mut pages = Pages::new(4);
        let mut heap = Heap::new();
        unsafe {
            let a = heap.alloc(24, 8, |n| pages.grow(n));
            let b = heap.alloc(24, 8, |n| pages.grow(n));
            assert_ne!(a, b);
            heap.dealloc(a, 24, 8);
            assert_eq!(
                heap.alloc(30, 4, |n| pages.grow(n)),
                a,
                "same 32-byte class"
            );
            assert_ne!(heap.alloc(24, 8, |n| pages.grow(n)), b);
        }
        assert_eq!(pages.used, 1, "small blocks share one page");
    }

    #[test]
    fn large_blocks_take_whole_pages_and_fail_cleanly() {
        let mut pages = Pages::new(3);
        let mut heap = Heap::new();
        unsafe {
            let small = heap.alloc(8, 8, |n| pages.grow(n));
            let big = heap.alloc(PAGE + 1, 8, |n| pages.grow(n));
            assert!(!big.is_null());
            assert_eq!(big as usize % PAGE, 0);
            assert!(
                small as usize + 8 <= big as usize || big as usize + 2 * PAGE <= small as usize
            );
            assert!(
                heap.alloc(2 * PAGE, 8, |n| pages.grow(n)).is_null(),
                "out of pages"
            );
            assert!(
                heap.alloc(8, 2 * PAGE, |n| pages.grow(n)).is_null(),
                "align over a page"
            );
        }
    }

    #[test]
    fn reallocation_keeps_a_block_that_still_fits_and_moves_the_bytes_otherwise() {
        let mut pages = Pages::new(4);
        let mut heap = Heap::new();
        unsafe {
            let a = heap.alloc(20, 8, |n| pages.grow(n));
            std::ptr::copy_nonoverlapping(b"twenty bytes of data".as_ptr(), a, 20);
            assert_eq!(heap.realloc(a, 20, 8, 32, |n| pages.grow(n)), a, "32 fits");
            let b = heap.realloc(a, 32, 8, 33, |n| pages.grow(n));
            assert_ne!(b, a, "33 needs a 64-byte block");
            assert_eq!(std::slice::from_raw_parts(b, 20), b"twenty bytes of data");
            assert_eq!(
                heap.alloc(32, 8, |n| pages.grow(n)),
                a,
                "the old block was freed"
            );
            let c = heap.realloc(b, 33, 8, 5, |n| pages.grow(n));
            assert_eq!(
                std::slice::from_raw_parts(c, 5),
                b"twent",
                "shrinking keeps the head"
            );
            assert!(heap.realloc(c, 5, 8, 4 * PAGE, |n| pages.grow(n)).is_null());
            assert_eq!(
                std::slice::from_raw_parts(c, 5),
                b"twent",
                "a failed grow keeps the block"
            );
        }
    }

    proptest! {
        /// Any sequence of allocations and frees: every live block is aligned,
        /// inside memory from `grow`, and overlaps no other live block, and
        /// its bytes survive the other operations.
        #[test]
        fn live_blocks_never_overlap(ops in proptest::collection::vec((0usize..5000, 0u32..7, any::<bool>()), 1..300)) {
            let mut pages = Pages::new(256);
            let mut heap = Heap::new();
            let mut live: Vec<(usize, usize, usize, u8)> = Vec::new();
            for (i, (size, align_log, free)) in ops.into_iter().enumerate() {
                if free && !live.is_empty() {
                    let (p, s, a, tag) = live.swap_remove(i % live.len());
                    let bytes = unsafe { std::slice::from_raw_parts(p as *const u8, s) };
                    prop_assert!(bytes.iter().all(|b| *b == tag), "a block was overwritten");
                    unsafe { heap.dealloc(p as *mut u8, s, a) };
                    continue;
                }
                let (size, align) = (size + 1, 1usize << align_log);
                let p = unsafe { heap.alloc(size, align, |n| pages.grow(n)) } as usize;
                prop_assert!(p != 0);
                prop_assert_eq!(p % align, 0);
                prop_assert!(p >= pages.base && p + size <= pages.base + pages.used * PAGE);
                for (q, s, _, _) in &live {
                    prop_assert!(p + size <= *q || q + s <= p, "blocks overlap");
                }
                let tag = i as u8;
                unsafe { std::ptr::write_bytes(p as *mut u8, tag, size) };
                live.push((p, size, align, tag));
            }
        }
    }
}
