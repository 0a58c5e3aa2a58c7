/* calf extension: memory and process statistics for user space. */
#ifndef CALF_UAPI_MEMSTAT_H
#define CALF_UAPI_MEMSTAT_H

struct memstat {
	unsigned long total_pages;
	unsigned long free_pages;
	unsigned long reserved_pages;
	unsigned long cow_copy_faults;
	unsigned long cow_reuse_faults;
	unsigned long zero_fill_faults;
	unsigned long shared_pages;
	unsigned long nproc;
	unsigned long huge_free;  /* 2 MiB blocks wholly free */
	unsigned long thp_mapped; /* 2 MiB heap mappings made (since boot) */
	unsigned long thp_copies; /* COW faults that copied a 2 MiB page */
	unsigned long thp_splits; /* 2 MiB mappings split into 4 KiB pages */
	unsigned long cache_pages; /* pages in the page cache (mmap'd files) */
	unsigned long file_faults; /* faults that mapped a page-cache page */
	unsigned long writebacks;  /* page-cache pages written to disk */
	unsigned long tlb_shootdowns; /* remote TLB flush requests sent */
	unsigned long tlb_shootdown_harts; /* harts they went to, summed */
	unsigned long nthreads;   /* threads (the processes' and kernel ones) */
	unsigned long pt_pages;   /* page-table pages in use, the kernel's too */
	unsigned long cow_ahead_pages; /* COW pages copied ahead of a store */
};

#define PROCINFO_NAME 16
struct procinfo {
	int pid;  /* the thread's id (gettid); pid == tgid for a leader */
	int ppid; /* the parent process's id */
	int tgid; /* the process's id (getpid) */
	int nthreads; /* threads of the process (leaders; 1 for the others) */
	int state; /* PROCINFO_* */
	int cpu;   /* hart running it, or -1 */
	unsigned long mem_pages; /* resident user pages */
	char name[PROCINFO_NAME];
};
#define PROCINFO_UNUSED 0
#define PROCINFO_SLEEPING 1
#define PROCINFO_RUNNABLE 2
#define PROCINFO_RUNNING 3
#define PROCINFO_ZOMBIE 4

/* One mapping of a process, as vmainfo() reports it (pmap). */
struct vmainfo {
	unsigned long start, end; /* [start, end) */
	unsigned long offset;     /* file offset of start (file mappings) */
	unsigned long resident;   /* pages mapped */
	unsigned long shared;     /* of those, pages with other users too */
	unsigned long cow;        /* of those, copy-on-write right now */
	unsigned int prot;        /* PROT_* (uapi/mman.h) */
	unsigned int kind;        /* VMAINFO_* */
	unsigned int shared_map;  /* 1: MAP_SHARED, 0: private */
	unsigned int inum;        /* the file's inode number, 0: anonymous */
};
#define VMAINFO_IMAGE 0 /* a segment of the program */
#define VMAINFO_HEAP 1
#define VMAINFO_STACK 2
#define VMAINFO_MMAP 3

#endif
