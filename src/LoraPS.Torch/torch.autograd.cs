using static LoraPS.Torch.Interop.LibTorchNative;

namespace LoraPS.Torch;

#pragma warning disable IDE1006 // naming: mirrors torch
public static unsafe partial class torch
{
    public static class autograd
    {
        /// <summary>
        /// Gradients of <paramref name="outputs"/> with respect to <paramref name="inputs"/> without touching
        /// any .grad (torch.autograd.grad). An input that does not influence the outputs gives null when
        /// <paramref name="allow_unused"/>, else an error.
        /// </summary>
        public static Tensor?[] grad(IReadOnlyList<Tensor> outputs, IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor?>? grad_outputs = null,
            bool retain_graph = false, bool create_graph = false, bool allow_unused = false)
        {
            if (grad_outputs is not null && grad_outputs.Count != outputs.Count)
                throw new ArgumentException($"{grad_outputs.Count} grad_outputs given for {outputs.Count} outputs");
            var o = outputs.Select(t => t.Handle).ToArray();
            var i = inputs.Select(t => t.Handle).ToArray();
            var g = grad_outputs?.Select(t => t?.Handle ?? IntPtr.Zero).ToArray();
            var result = new IntPtr[i.Length];
            fixed (IntPtr* po = o) fixed (IntPtr* pi = i) fixed (IntPtr* pr = result) fixed (IntPtr* pg = g)
                Ok(lt_autograd_grad(po, o.Length, g is null ? null : pg, pi, i.Length, retain_graph ? 1 : 0, create_graph ? 1 : 0, allow_unused ? 1 : 0, pr));
            return result.Select(h => h == IntPtr.Zero ? null : new Tensor(h)).ToArray();
        }
    }
}
