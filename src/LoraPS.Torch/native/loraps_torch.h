/* C interface of the LoraPS libtorch shim. Every function is exception-safe: a libtorch error is
 * caught, its message kept in a thread-local slot (lt_last_error), and the function returns its
 * failure value (NULL handle, -1, or 0 as documented). The C# side checks and throws. */
#pragma once
#include <stdint.h>

#if defined(_WIN32)
#  define LT_API extern "C" __declspec(dllexport)
#else
#  define LT_API extern "C" __attribute__((visibility("default")))
#endif

typedef void* lt_tensor; /* an owned at::Tensor*; free with lt_tensor_free */

/* errors and library facts */
LT_API const char* lt_last_error(void);      /* NULL when the last call on this thread succeeded */
LT_API const char* lt_version(void);         /* libtorch version the shim was compiled against */
LT_API int lt_shim_abi(void);                /* bumped when this interface changes incompatibly */
LT_API int lt_cuda_is_available(void);
LT_API int lt_cuda_device_count(void);
/* writes the device's name (NUL-terminated) into buf; returns its length, or -1 */
LT_API int lt_cuda_device_name(int device, char* buf, int capacity);
LT_API int lt_get_num_threads(void);
LT_API void lt_set_num_threads(int n);
LT_API int64_t lt_live_tensors(void);        /* handles made and not yet freed */

/* tensors; dtype codes are c10::ScalarType values */
LT_API lt_tensor lt_tensor_from_data(const void* data, const int64_t* shape, int ndim, int dtype);
LT_API void lt_tensor_free(lt_tensor t);
LT_API int lt_tensor_ndim(lt_tensor t);
LT_API int lt_tensor_shape(lt_tensor t, int64_t* shape, int capacity);
LT_API int lt_tensor_dtype(lt_tensor t);
LT_API int64_t lt_tensor_numel(lt_tensor t);
LT_API int lt_tensor_copy_to(lt_tensor t, void* dst, int64_t bytes);

/* ops */
LT_API lt_tensor lt_add(lt_tensor a, lt_tensor b, double alpha);
LT_API lt_tensor lt_matmul(lt_tensor a, lt_tensor b);
