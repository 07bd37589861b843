using LoraPS.Torch;

namespace LoraPS.Tests.Engine;

public sealed class LinalgTests
{
    [Fact]
    public void Svd_full_and_reduced_reconstruct_the_matrix()
    {
        using var scope = torch.NewDisposeScope();
        using var g = new Generator(3);
        var A = torch.randn(new long[] { 5, 3 }, ScalarType.Float64, generator: g);
        var (U, S, Vh) = torch.linalg.svd(A, full_matrices: false);
        Assert.Equal(new long[] { 5, 3 }, U.shape);
        Assert.Equal(new long[] { 3 }, S.shape);
        Assert.Equal(new long[] { 3, 3 }, Vh.shape);
        Assert.True(U.mul(S.unsqueeze(0)).matmul(Vh).allclose(A, 1e-10, 1e-10));
        var s = S.data<double>();
        Assert.True(s[0] >= s[1] && s[1] >= s[2] && s[2] >= 0);

        var (Uf, Sf, Vhf) = torch.linalg.svd(A, full_matrices: true);
        Assert.Equal(new long[] { 5, 5 }, Uf.shape);
        Assert.Equal(new long[] { 3, 3 }, Vhf.shape);
        Assert.True(Uf.t().matmul(Uf).allclose(torch.eye(5, dtype: ScalarType.Float64), 1e-10, 1e-10));
        Assert.True(Sf.allclose(S, 1e-10, 1e-12));
    }

    [Fact]
    public void Svd_of_a_known_diagonal_matrix_gives_its_values()
    {
        using var scope = torch.NewDisposeScope();
        var A = torch.tensor(new double[] { 0, 2, 3, 0 }, 2, 2);
        var (_, S, _) = torch.linalg.svd(A);
        Assert.Equal(new double[] { 3, 2 }, S.data<double>().Select(v => Math.Round(v, 10)));
    }

    [Fact]
    public void Qr_reduced_and_complete()
    {
        using var scope = torch.NewDisposeScope();
        var A = torch.tensor(new double[] { 1, 2, 3, 4, 5, 6 }, 3, 2);
        var (Q, R) = torch.linalg.qr(A);
        Assert.Equal(new long[] { 3, 2 }, Q.shape);
        Assert.Equal(new long[] { 2, 2 }, R.shape);
        Assert.True(Q.matmul(R).allclose(A, 1e-10, 1e-10));
        Assert.Equal(0.0, R[1][0].item(), 12);
        var (Qc, Rc) = torch.linalg.qr(A, "complete");
        Assert.Equal(new long[] { 3, 3 }, Qc.shape);
        Assert.Equal(new long[] { 3, 2 }, Rc.shape);
        Assert.Throws<ArgumentException>(() => torch.linalg.qr(A, "economic"));
        Assert.Throws<TorchException>(() => torch.linalg.qr(torch.ones(3)));
    }

    [Fact]
    public void Lowrank_factors_reproduce_a_rank_two_matrix_and_rank_rules_count()
    {
        using var scope = torch.NewDisposeScope();
        using var g = new Generator(5);
        var W = torch.randn(new long[] { 6, 2 }, ScalarType.Float64, generator: g).matmul(torch.randn(new long[] { 2, 4 }, ScalarType.Float64, generator: g));
        var (up, down, S) = torch.linalg.lowrank_factors(W, 2);
        Assert.Equal(new long[] { 6, 2 }, up.shape);
        Assert.Equal(new long[] { 2, 4 }, down.shape);
        Assert.True(up.matmul(down).allclose(W, 1e-9, 1e-9));
        Assert.Equal(2, torch.linalg.rank_for_ratio(S, 1e6));
        Assert.Equal(2, torch.linalg.rank_for_fro_share(S, 0.999999));
        var known = torch.tensor(new double[] { 4, 3, 1 });
        Assert.Equal(1, torch.linalg.rank_for_cumulative_share(known, 0.5));
        Assert.Equal(2, torch.linalg.rank_for_cumulative_share(known, 0.875));
        Assert.Equal(1, torch.linalg.rank_for_fro_share(known, 0.78)); // 4/sqrt(26) = 0.784
        Assert.Equal(2, torch.linalg.rank_for_ratio(known, 2));
        var (cu, cd, _) = torch.linalg.lowrank_factors(W, 1, clamp_quantile: 0.5);
        double hi = Math.Max(cu.abs().max().item(), cd.abs().max().item());
        Assert.True(hi <= torch.cat(new[] { up.narrow(1, 0, 1).flatten(), down.narrow(0, 0, 1).flatten() }).abs().max().item());
        Assert.Throws<ArgumentOutOfRangeException>(() => torch.linalg.lowrank_factors(W, 5));
    }
}
