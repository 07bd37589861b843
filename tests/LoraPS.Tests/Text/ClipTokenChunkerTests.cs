using LoraPS.Models.Text;

namespace LoraPS.Tests.Text;

/// <summary>Windows and sd-scripts' 75-token chunks, worked out by hand from its rules (content ids are made up; BOS 49406, EOS 49407, SD2 pad 0).</summary>
public sealed class ClipTokenChunkerTests
{
    private const int Bos = 49406, Eos = 49407, Sd2Pad = 0;
    private static readonly ClipTokenChunker Sd1 = new(Bos, Eos, Eos);
    private static readonly ClipTokenChunker Sd2 = new(Bos, Eos, Sd2Pad);

    private static int[] Content(int count) => Enumerable.Range(1000, count).ToArray();
    private static int[] Repeat(int id, int count) => Enumerable.Repeat(id, count).ToArray();
    private static int[] Cat(params int[][] parts) => parts.SelectMany(p => p).ToArray();

    [Fact]
    public void A_long_prompt_in_one_window_keeps_75_tokens_and_ends_with_EOS()
    {
        int[] c = Content(80);
        var chunks = Sd2.Layout(WeightedTokens.Unweighted(c), 1);
        Assert.Equal(Cat(new[] { Bos }, c[..75], new[] { Eos }), chunks.Ids(0));
        Assert.True(chunks.Truncated);
        Assert.Equal(80, chunks.ContentTokens);
    }

    [Fact]
    public void An_empty_prompt_is_start_end_and_padding()
    {
        Assert.Equal(Cat(new[] { Bos, Eos }, Repeat(Eos, 75)), Sd1.Window(Array.Empty<int>()));
        Assert.Equal(Cat(new[] { Bos, Eos }, Repeat(Sd2Pad, 75)), Sd2.Window(Array.Empty<int>()));
    }

    [Fact]
    public void Max_token_length_maps_to_chunk_counts()
    {
        Assert.Equal(1, ClipTokenChunker.ChunksForMaxTokenLength(null));
        Assert.Equal(2, ClipTokenChunker.ChunksForMaxTokenLength(150));
        Assert.Equal(3, ClipTokenChunker.ChunksForMaxTokenLength(225));
        Assert.Throws<ArgumentOutOfRangeException>(() => ClipTokenChunker.ChunksForMaxTokenLength(100));
    }

    [Fact]
    public void SD1_80_tokens_in_two_chunks()
    {
        int[] c = Content(80);
        var chunks = Sd1.Layout(WeightedTokens.Unweighted(c), 2);
        Assert.Equal(2, chunks.ChunkCount);
        Assert.Equal(152, chunks.SequenceLength);
        Assert.Equal(Cat(new[] { Bos }, c[..75], new[] { Eos }), chunks.Ids(0));
        Assert.Equal(Cat(new[] { Bos }, c[75..], Repeat(Eos, 71)), chunks.Ids(1));
        Assert.False(chunks.Truncated);
    }

    [Fact]
    public void SD2_80_tokens_in_three_chunks_get_the_EOS_fix_ups()
    {
        int[] c = Content(80);
        var chunks = Sd2.Layout(WeightedTokens.Unweighted(c), 3);
        // Chunk 0 is full: its last id (the sequence's last, a pad) becomes EOS.
        Assert.Equal(Cat(new[] { Bos }, c[..75], new[] { Eos }), chunks.Ids(0));
        // Chunk 1: five tokens, the EOS the sequence placed after them, pads; last = the sequence's last (pad).
        Assert.Equal(Cat(new[] { Bos }, c[75..], new[] { Eos }, Repeat(Sd2Pad, 70)), chunks.Ids(1));
        // Chunk 2 holds only pads: position 1 becomes EOS.
        Assert.Equal(Cat(new[] { Bos, Eos }, Repeat(Sd2Pad, 75)), chunks.Ids(2));
    }

    [Fact]
    public void SD2_exactly_two_full_chunks_end_both_with_EOS()
    {
        int[] c = Content(150);
        var chunks = Sd2.Layout(WeightedTokens.Unweighted(c), 2);
        Assert.Equal(Cat(new[] { Bos }, c[..75], new[] { Eos }), chunks.Ids(0));
        Assert.Equal(Cat(new[] { Bos }, c[75..], new[] { Eos }), chunks.Ids(1));
        Assert.False(chunks.Truncated);
        Assert.True(Sd2.Layout(WeightedTokens.Unweighted(Content(151)), 2).Truncated);
    }

    [Fact]
    public void SD2_75_tokens_in_two_chunks_leave_the_second_as_EOS_and_pads()
    {
        int[] c = Content(75);
        var chunks = Sd2.Layout(WeightedTokens.Unweighted(c), 2);
        Assert.Equal(Cat(new[] { Bos }, c, new[] { Eos }), chunks.Ids(0));
        Assert.Equal(Cat(new[] { Bos, Eos }, Repeat(Sd2Pad, 75)), chunks.Ids(1));
    }

    [Fact]
    public void SD1_chunks_equal_start_plus_each_75_token_slice_plus_EOS_padding_for_every_length()
    {
        for (int count = 0; count <= 240; count++)
        {
            int[] c = Content(count);
            var chunks = Sd1.Layout(WeightedTokens.Unweighted(c), 3);
            for (int k = 0; k < 3; k++)
            {
                int[] slice = c.Skip(75 * k).Take(75).ToArray();
                int[] expected = Cat(new[] { Bos }, slice, Repeat(Eos, 76 - slice.Length));
                Assert.Equal(expected, chunks.Ids(k));
            }
        }
    }

    [Fact]
    public void Automatic_chunk_count_grows_with_the_prompt()
    {
        Assert.Equal(1, Sd1.Layout(WeightedTokens.Unweighted(Content(0)), null).ChunkCount);
        Assert.Equal(1, Sd1.Layout(WeightedTokens.Unweighted(Content(75)), null).ChunkCount);
        Assert.Equal(2, Sd1.Layout(WeightedTokens.Unweighted(Content(76)), null).ChunkCount);
        Assert.Equal(4, Sd1.Layout(WeightedTokens.Unweighted(Content(300)), null).ChunkCount);
    }

    [Fact]
    public void Weights_follow_their_tokens_and_special_positions_weigh_one()
    {
        int[] c = Content(80);
        float[] w = Enumerable.Range(0, 80).Select(i => 1f + i / 100f).ToArray();
        var chunks = Sd1.Layout(new WeightedTokens(c, w), 2);
        Assert.Equal(1f, chunks.Weights(0)[0]);
        Assert.Equal(w[0], chunks.Weights(0)[1]);
        Assert.Equal(w[74], chunks.Weights(0)[75]);
        Assert.Equal(1f, chunks.Weights(0)[76]);
        Assert.Equal(w[75], chunks.Weights(1)[1]);
        Assert.Equal(w[79], chunks.Weights(1)[5]);
        Assert.All(chunks.Weights(1).Skip(6), x => Assert.Equal(1f, x));
        Assert.Equal(2 * 77, chunks.FlattenWeights().Length);
    }

    [Fact]
    public void Stitched_positions_come_from_the_first_start_each_chunks_middle_and_the_last_end()
    {
        var chunks = Sd1.Layout(WeightedTokens.Unweighted(Content(10)), 3);
        Assert.Equal(227, chunks.SequenceLength);
        Assert.Equal((0, 0), chunks.SourceOf(0));
        Assert.Equal((0, 1), chunks.SourceOf(1));
        Assert.Equal((0, 75), chunks.SourceOf(75));
        Assert.Equal((1, 1), chunks.SourceOf(76));
        Assert.Equal((2, 75), chunks.SourceOf(225));
        Assert.Equal((2, 76), chunks.SourceOf(226));
    }

    [Fact]
    public void A_break_fills_the_chunk_so_the_next_token_starts_a_new_one()
    {
        int[] c = Content(4);
        var tokens = new WeightedTokens(c, new float[] { 1, 1, 1, 1 }, new[] { 2 });
        var sd1 = Sd1.Layout(tokens, null);
        Assert.Equal(2, sd1.ChunkCount);
        Assert.Equal(Cat(new[] { Bos }, c[..2], Repeat(Eos, 74)), sd1.Ids(0));
        Assert.Equal(Cat(new[] { Bos }, c[2..], Repeat(Eos, 74)), sd1.Ids(1));

        var sd2 = Sd2.Layout(tokens, null);
        Assert.Equal(Cat(new[] { Bos }, c[..2], new[] { Eos }, Repeat(Sd2Pad, 73)), sd2.Ids(0));
        Assert.Equal(Cat(new[] { Bos }, c[2..], new[] { Eos }, Repeat(Sd2Pad, 73)), sd2.Ids(1));
    }

    [Fact]
    public void A_break_after_a_full_chunk_only_closes_it_and_a_leading_or_repeated_break_makes_an_empty_chunk()
    {
        int[] c = Content(76);
        var afterFull = Sd1.Layout(new WeightedTokens(c, Repeat(1, 76).Select(x => (float)x).ToArray(), new[] { 75 }), null);
        Assert.Equal(2, afterFull.ChunkCount);
        Assert.Equal(c[75], afterFull.Ids(1)[1]);

        int[] two = Content(2);
        var leading = Sd1.Layout(new WeightedTokens(two, new float[] { 1, 1 }, new[] { 0 }), null);
        Assert.Equal(2, leading.ChunkCount);
        Assert.Equal(Eos, leading.Ids(0)[1]);
        Assert.Equal(two[0], leading.Ids(1)[1]);

        var repeated = Sd1.Layout(new WeightedTokens(two, new float[] { 1, 1 }, new[] { 1, 1 }), null);
        Assert.Equal(3, repeated.ChunkCount);
        Assert.Equal(two[0], repeated.Ids(0)[1]);
        Assert.Equal(Eos, repeated.Ids(1)[1]);
        Assert.Equal(two[1], repeated.Ids(2)[1]);
    }
}
