using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using static LoraPS.Torch.Interop.LibTorchNative;

namespace LoraPS.Torch;

#pragma warning disable IDE1006 // naming: mirrors torch
public unsafe partial class Tensor
{
    public bool requires_grad
    {
        get => Ok(lt_requires_grad(Handle)) != 0;
        set => Ok(lt_set_requires_grad(Handle, value ? 1 : 0));
    }

    public Tensor requires_grad_(bool value = true)
    {
        requires_grad = value;
        return this;
    }

    public bool is_leaf => Ok(lt_is_leaf(Handle)) != 0;

    /// <summary>True when this tensor was made by a recorded op (has a grad_fn).</summary>
    public bool has_grad_fn => Ok(lt_has_grad_fn(Handle)) != 0;

    /// <summary>
    /// The accumulated gradient (a new handle on it, sharing storage: in-place changes show in the
    /// parameter's .grad), or null when none. Setting null clears it, as <c>p.grad = None</c>.
    /// </summary>
    public Tensor? grad
    {
        get
        {
            IntPtr h = lt_grad(Handle);
            if (h == IntPtr.Zero) { Check(); return null; }
            return new Tensor(h);
        }
        set => Ok(lt_set_grad(Handle, value?.Handle ?? IntPtr.Zero));
    }

    /// <summary>Keeps .grad on a non-leaf tensor after backward.</summary>
    public void retain_grad() => Ok(lt_retain_grad(Handle));

    /// <summary>A tensor sharing storage with this one but cut from the graph.</summary>
    public Tensor detach() => new(lt_detach(Handle));

    /// <summary>
    /// Back-propagates from this tensor. <paramref name="gradient"/> is needed unless it has one element;
    /// <paramref name="retain_graph"/> keeps the graph for another backward.
    /// </summary>
    public void backward(Tensor? gradient = null, bool retain_graph = false, bool create_graph = false) =>
        Ok(lt_backward(Handle, gradient?.Handle ?? IntPtr.Zero, retain_graph ? 1 : 0, create_graph ? 1 : 0));

    /// <summary>
    /// Calls <paramref name="hook"/> with this tensor's gradient during backward; a non-null result
    /// replaces the gradient (e.g. clipped). The gradient passed in is freed after the hook returns.
    /// Returns a handle whose Dispose removes the hook.
    /// </summary>
    public IDisposable register_hook(Func<Tensor, Tensor?> hook)
    {
        var box = new HookBox(hook);
        var gc = GCHandle.Alloc(box);
        long id = lt_register_hook(Handle, (IntPtr)(delegate* unmanaged[Cdecl]<IntPtr, IntPtr, IntPtr*, int>)&HookTrampoline, (void*)GCHandle.ToIntPtr(gc));
        if (id < 0) { gc.Free(); Check(); }
        return new HookRegistration(this, id, gc);
    }

    private sealed class HookBox(Func<Tensor, Tensor?> hook)
    {
        public readonly Func<Tensor, Tensor?> Hook = hook;
        public Exception? Error;
    }

    private sealed class HookRegistration(Tensor owner, long id, GCHandle gc) : IDisposable
    {
        private bool _done;
        public void Dispose()
        {
            if (_done) return;
            _done = true;
            // once removed, native code no longer holds the state pointer; if the owner was disposed
            // first, other handles may still carry the hook, so the small box is kept alive then
            if (owner.IsInvalid) return;
            lt_remove_hook(owner.Handle, id);
            gc.Free();
        }
    }

    [UnmanagedCallersOnly(CallConvs = new[] { typeof(CallConvCdecl) })]
    private static int HookTrampoline(IntPtr state, IntPtr grad, IntPtr* replacement)
    {
        var box = (HookBox)GCHandle.FromIntPtr(state).Target!;
        try
        {
            using var g = new Tensor(grad).DetachFromDisposeScope();
            var result = box.Hook(g);
            if (result is not null && !ReferenceEquals(result, g))
            {
                result.DetachFromDisposeScope();
                *replacement = result.ReleaseHandle();
            }
            else if (result is not null)
            {
                *replacement = lt_alias(g.Handle);
            }
            return 0;
        }
        catch (Exception e)
        {
            box.Error = e;
            return -1;
        }
    }
}

public unsafe partial class Tensor
{
    /// <summary>Makes this tensor (a parameter, typically) hold <paramref name="source"/>'s data, keeping its identity and autograd flags.</summary>
    public void set_data(Tensor source) => LoraPS.Torch.Interop.LibTorchNative.Ok(LoraPS.Torch.Interop.LibTorchNative.lt_set_data(Handle, source.Handle));
}
