// Clang thread-safety annotations (https://clang.llvm.org/docs/ThreadSafetyAnalysis.html).
// They document which mutex guards which member and which functions need it held; the build
// checks them with clang's -Wthread-safety (scripts/check_thread_safety.sh). Other compilers
// see nothing.
#ifndef QUIVER_UTIL_THREAD_ANNOTATIONS_H_
#define QUIVER_UTIL_THREAD_ANNOTATIONS_H_

#if defined(__clang__)
#define QUIVER_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define QUIVER_THREAD_ANNOTATION(x)
#endif

#define CAPABILITY(x) QUIVER_THREAD_ANNOTATION(capability(x))
#define SCOPED_CAPABILITY QUIVER_THREAD_ANNOTATION(scoped_lockable)
#define GUARDED_BY(x) QUIVER_THREAD_ANNOTATION(guarded_by(x))
#define PT_GUARDED_BY(x) QUIVER_THREAD_ANNOTATION(pt_guarded_by(x))
#define ACQUIRED_BEFORE(...) QUIVER_THREAD_ANNOTATION(acquired_before(__VA_ARGS__))
#define ACQUIRED_AFTER(...) QUIVER_THREAD_ANNOTATION(acquired_after(__VA_ARGS__))
#define REQUIRES(...) QUIVER_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define REQUIRES_SHARED(...) QUIVER_THREAD_ANNOTATION(requires_shared_capability(__VA_ARGS__))
#define ACQUIRE(...) QUIVER_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define TRY_ACQUIRE(...) QUIVER_THREAD_ANNOTATION(try_acquire_capability(__VA_ARGS__))
#define ACQUIRE_SHARED(...) QUIVER_THREAD_ANNOTATION(acquire_shared_capability(__VA_ARGS__))
#define RELEASE(...) QUIVER_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define RELEASE_SHARED(...) QUIVER_THREAD_ANNOTATION(release_shared_capability(__VA_ARGS__))
#define RELEASE_GENERIC(...) QUIVER_THREAD_ANNOTATION(release_generic_capability(__VA_ARGS__))
#define EXCLUDES(...) QUIVER_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
#define ASSERT_CAPABILITY(x) QUIVER_THREAD_ANNOTATION(assert_capability(x))
#define ASSERT_SHARED_CAPABILITY(x) QUIVER_THREAD_ANNOTATION(assert_shared_capability(x))
#define RETURN_CAPABILITY(x) QUIVER_THREAD_ANNOTATION(lock_returned(x))
#define NO_THREAD_SAFETY_ANALYSIS QUIVER_THREAD_ANNOTATION(no_thread_safety_analysis)

#endif  // QUIVER_UTIL_THREAD_ANNOTATIONS_H_
