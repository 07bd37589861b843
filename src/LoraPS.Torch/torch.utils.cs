using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using LoraPS.Torch.Modules;
using static LoraPS.Torch.Interop.LibTorchNative;

namespace LoraPS.Torch;

#pragma warning disable IDE1006 // naming: mirrors torch
public static unsafe partial class torch
{
    public static class utils
    {
            /// <summary>
            /// Runs <paramref name="function"/> without keeping its intermediates; during backward it runs
            /// again with grad (same RNG state) and back-propagates through the recomputed graph, so
            /// parameters it uses get the same gradients as without checkpointing. Its outputs must be new
            /// tensors computed from the inputs (and parameters); it may be called twice.
            /// </summary>
            public static Tensor[] checkpoint_sequence(Func<Tensor[], Tensor[]> function, params Tensor[] inputs)
            {
                var box = new CheckpointBox(function);
                var gc = GCHandle.Alloc(box);
                var handles = new IntPtr[inputs.Length];
                for (int i = 0; i < inputs.Length; i++) handles[i] = inputs[i].Handle;
                var outs = new IntPtr[64];
                int n;
                fixed (IntPtr* pin = handles) fixed (IntPtr* pout = outs)
                {
                    n = lt_checkpoint((IntPtr)(delegate* unmanaged[Cdecl]<IntPtr, IntPtr*, int, IntPtr*, int, int>)&ForwardTrampoline,
                        (IntPtr)(delegate* unmanaged[Cdecl]<IntPtr, void>)&ReleaseTrampoline,
                        (void*)GCHandle.ToIntPtr(gc), pin, handles.Length, pout, outs.Length);
                }
                if (n < 0)
                {
                    var inner = box.Error;
                    box.Error = null;
                    IntPtr message = lt_last_error();
                    string text = Marshal.PtrToStringUTF8(message) ?? "checkpoint failed";
                    throw inner is null ? new TorchException(text) : new TorchException(text + ": " + inner.Message, inner);
                }
                return Tensor.Wrap(outs, n);
            }

            /// <summary>Checkpoints a one-input, one-output function (typically a sub-module's forward).</summary>
            public static Tensor checkpoint(Func<Tensor, Tensor> function, Tensor input) =>
                checkpoint_sequence(xs => new[] { function(xs[0]) }, input)[0];

            public static Tensor checkpoint(Module<Tensor, Tensor> module, Tensor input) => checkpoint(module.forward, input);

            private sealed class CheckpointBox(Func<Tensor[], Tensor[]> function)
            {
                public readonly Func<Tensor[], Tensor[]> Function = function;
                public Exception? Error;
            }

            [UnmanagedCallersOnly(CallConvs = new[] { typeof(CallConvCdecl) })]
            private static int ForwardTrampoline(IntPtr state, IntPtr* inputs, int n, IntPtr* outputs, int capacity)
            {
                var box = (CheckpointBox)GCHandle.FromIntPtr(state).Target!;
                try
                {
                    // the scope frees the input handles and every intermediate; outputs are handed to the shim
                    using var scope = NewDisposeScope();
                    var xs = new Tensor[n];
                    for (int i = 0; i < n; i++) xs[i] = new Tensor(inputs[i]);
                    var ys = box.Function(xs);
                    if (ys.Length > capacity) throw new InvalidOperationException($"a checkpointed function may return at most {capacity} tensors");
                    for (int i = 0; i < ys.Length; i++)
                        outputs[i] = Array.IndexOf(xs, ys[i]) >= 0 || ys[i].OwningScope != scope ? lt_alias(ys[i].Handle) : ys[i].ReleaseHandle();
                    return ys.Length;
                }
                catch (Exception e)
                {
                    box.Error = e;
                    return -1;
                }
            }

            [UnmanagedCallersOnly(CallConvs = new[] { typeof(CallConvCdecl) })]
            private static void ReleaseTrampoline(IntPtr state) => GCHandle.FromIntPtr(state).Free();
    }

    /// <summary>
    /// Runs eligible ops (matmul, conv, linear …) in <paramref name="dtype"/> on <paramref name="device_type"/>
    /// until disposed: bfloat16 on CPU, float16 or bfloat16 on CUDA. Scopes nest and restore the previous state.
    /// </summary>
    public static IDisposable autocast(DeviceType device_type, ScalarType dtype, bool enabled = true) => new AutocastScope(device_type, dtype, enabled);
    public static IDisposable autocast(string device_type, ScalarType dtype, bool enabled = true) => autocast(Device.Parse(device_type).type, dtype, enabled);

    public static bool is_autocast_enabled(DeviceType device_type = DeviceType.CUDA)
    {
        Interop.LibTorchLoader.EnsureLoaded();
        return Ok(lt_autocast_enabled((int)device_type)) != 0;
    }

    private sealed class AutocastScope : IDisposable
    {
        private readonly DeviceType _device;
        private readonly long _previous;
        private bool _done;

        public AutocastScope(DeviceType device, ScalarType dtype, bool enabled)
        {
            Interop.LibTorchLoader.EnsureLoaded();
            if (device == DeviceType.CPU && dtype != ScalarType.BFloat16 && enabled)
                throw new ArgumentException("autocast on CPU supports bfloat16 only");
            if (device == DeviceType.CUDA && dtype is not (ScalarType.Float16 or ScalarType.BFloat16) && enabled)
                throw new ArgumentException("autocast on CUDA supports float16 and bfloat16");
            _device = device;
            _previous = lt_autocast_enter((int)device, (int)dtype, enabled ? 1 : 0);
            if (_previous < 0) Check();
        }

        public void Dispose()
        {
            if (_done) return;
            _done = true;
            Ok(lt_autocast_exit((int)_device, _previous));
        }
    }
}
