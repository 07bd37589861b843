using static LoraPS.Torch.Interop.LibTorchNative;

namespace LoraPS.Torch;

#pragma warning disable IDE1006 // naming: mirrors torch
public unsafe partial class Tensor
{
    public Tensor view(params long[] shape) { fixed (long* p = shape) return new(lt_view(Handle, p, shape.Length)); }
    public Tensor reshape(params long[] shape) { fixed (long* p = shape) return new(lt_reshape(Handle, p, shape.Length)); }
    public Tensor permute(params long[] dims) { fixed (long* p = dims) return new(lt_permute(Handle, p, dims.Length)); }
    public Tensor transpose(long dim0, long dim1) => new(lt_transpose(Handle, dim0, dim1));
    /// <summary>Transpose of a 2-d tensor.</summary>
    public Tensor t() => transpose(0, 1);
    /// <summary>Swaps the last two dimensions.</summary>
    public Tensor mT => transpose(-2, -1);
    public Tensor flatten(long start_dim = 0, long end_dim = -1) => new(lt_flatten(Handle, start_dim, end_dim));
    public Tensor unflatten(long dim, params long[] sizes) { fixed (long* p = sizes) return new(lt_unflatten(Handle, dim, p, sizes.Length)); }
    public Tensor squeeze() => new(lt_squeeze(Handle, 0, 1));
    public Tensor squeeze(long dim) => new(lt_squeeze(Handle, dim, 0));
    public Tensor unsqueeze(long dim) => new(lt_unsqueeze(Handle, dim));
    public Tensor narrow(long dim, long start, long length) => new(lt_narrow(Handle, dim, start, length));
    /// <summary>Elements start..end (exclusive) with step along <paramref name="dim"/>, like x[start:end:step].</summary>
    public Tensor slice(long dim, long start, long end, long step = 1) => new(lt_slice(Handle, dim, start, end, step));
    public Tensor select(long dim, long index) => new(lt_select(Handle, dim, index));
    public Tensor index_select(long dim, Tensor index) => new(lt_index_select(Handle, dim, index.Handle));
    public Tensor gather(long dim, Tensor index) => new(lt_gather(Handle, dim, index.Handle));
    public Tensor masked_select(Tensor mask) => new(lt_masked_select(Handle, mask.Handle));
    public Tensor expand(params long[] sizes) { fixed (long* p = sizes) return new(lt_expand(Handle, p, sizes.Length)); }
    public Tensor expand_as(Tensor other) => expand(other.shape);
    public Tensor view_as(Tensor other) => view(other.shape);
    public Tensor repeat(params long[] repeats) { fixed (long* p = repeats) return new(lt_repeat(Handle, p, repeats.Length)); }
    public Tensor flip(params long[] dims) { fixed (long* p = dims) return new(lt_flip(Handle, p, dims.Length)); }
    public Tensor roll(long[] shifts, long[] dims)
    {
        fixed (long* s = shifts) fixed (long* d = dims) return new(lt_roll(Handle, s, shifts.Length, d, dims.Length));
    }
    public Tensor roll(long shift, long dim) => roll(new[] { shift }, new[] { dim });
    public Tensor diag(long diagonal = 0) => new(lt_diag(Handle, diagonal));
    public Tensor tril(long diagonal = 0) => new(lt_tril(Handle, diagonal));
    public Tensor triu(long diagonal = 0) => new(lt_triu(Handle, diagonal));

    /// <summary>Splits into <paramref name="chunks"/> pieces along <paramref name="dim"/> (the last may be smaller; fewer when the size is small).</summary>
    public Tensor[] chunk(long chunks, long dim = 0)
    {
        if (chunks < 1) throw new ArgumentOutOfRangeException(nameof(chunks), "chunk count must be at least 1");
        var handles = new IntPtr[chunks];
        int n;
        fixed (IntPtr* p = handles) n = Ok(lt_chunk(Handle, chunks, dim, p, handles.Length));
        return Wrap(handles, n);
    }

    /// <summary>Splits into pieces of <paramref name="size"/> along <paramref name="dim"/> (the last may be smaller).</summary>
    public Tensor[] split(long size, long dim = 0)
    {
        if (size < 1) throw new ArgumentOutOfRangeException(nameof(size), "split size must be at least 1");
        long length = this.size((int)dim);
        var sizes = new List<long>();
        for (long start = 0; start < length; start += size) sizes.Add(Math.Min(size, length - start));
        if (sizes.Count == 0) sizes.Add(0);
        return split(sizes.ToArray(), dim);
    }

    /// <summary>Splits into pieces of the given sizes (which must add up to the dimension's size).</summary>
    public Tensor[] split(long[] sizes, long dim = 0)
    {
        var handles = new IntPtr[sizes.Length];
        int n;
        fixed (long* s = sizes) fixed (IntPtr* p = handles) n = Ok(lt_split(Handle, s, sizes.Length, dim, p, handles.Length));
        return Wrap(handles, n);
    }

    internal static Tensor[] Wrap(IntPtr[] handles, int count)
    {
        var result = new Tensor[count];
        for (int i = 0; i < count; i++) result[i] = new Tensor(handles[i]);
        return result;
    }

    /// <summary>x[..., index] style selection helpers: x[i] selects along dim 0.</summary>
    public Tensor this[long index] => select(0, index);
}
