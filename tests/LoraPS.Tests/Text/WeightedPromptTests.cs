using LoraPS.Models.Text;

namespace LoraPS.Tests.Text;

public sealed class WeightedPromptTests
{
    [ClipVocabularyFact]
    public void Weighted_segments_are_tokenised_separately_and_weights_follow_tokens()
    {
        var tokens = SharedClipVocabulary.Sd1.TokenizePrompt("a photo of (a cat:1.2), [blurry]");
        Assert.Equal(new[] { 320, 1125, 539, 320, 2368, 267 }, tokens.Ids.Take(6));
        Assert.Equal(new[] { 1f, 1f, 1f, 1.2f, 1.2f, 1f }, tokens.Weights.Take(6));
        Assert.Equal(SharedClipVocabulary.Tokenizer.Encode("blurry"), tokens.Ids.Skip(6));
        Assert.All(tokens.Weights.Skip(6), w => Assert.Equal((float)(1 / 1.1), w));
        Assert.Empty(tokens.BreakPositions);
    }

    [ClipVocabularyFact]
    public void Without_parsing_the_brackets_are_ordinary_tokens()
    {
        var tokens = SharedClipVocabulary.Sd1.TokenizePrompt("(cat:1.2)", parseWeights: false);
        Assert.Equal(SharedClipVocabulary.Tokenizer.Encode("(cat:1.2)"), tokens.Ids);
        Assert.All(tokens.Weights, w => Assert.Equal(1f, w));
    }

    [ClipVocabularyFact]
    public void Weighted_window_puts_the_weights_beside_their_ids()
    {
        var chunks = SharedClipVocabulary.Sd2.Tokenize("(cat:1.5) photo", chunkCount: 1, parseWeights: true);
        Assert.Equal(new[] { 49406, 2368, 1125, 49407, 0 }, chunks.Ids(0).Take(5));
        Assert.Equal(new[] { 1f, 1.5f, 1f, 1f, 1f }, chunks.Weights(0).Take(5));
    }

    [ClipVocabularyFact]
    public void Break_starts_a_new_chunk()
    {
        var chunks = SharedClipVocabulary.Sd1.Tokenize("a photo BREAK of a cat", chunkCount: null, parseWeights: true);
        Assert.Equal(2, chunks.ChunkCount);
        Assert.Equal(new[] { 49406, 320, 1125, 49407, 49407 }, chunks.Ids(0).Take(5));
        Assert.Equal(new[] { 49406, 539, 320, 2368, 49407 }, chunks.Ids(1).Take(5));
    }

    [ClipVocabularyFact]
    public void A_long_caption_fills_three_chunks_for_max_token_length_225()
    {
        string caption = string.Join(", ", Enumerable.Repeat("black cat", 60)); // 60·2 + 59 = 179 tokens
        var tokenizer = SharedClipVocabulary.Sd1;
        int[] content = tokenizer.Encode(caption);
        Assert.Equal(179, content.Length);
        var chunks = tokenizer.Tokenize(caption, ClipTokenChunker.ChunksForMaxTokenLength(225));
        Assert.Equal(3, chunks.ChunkCount);
        Assert.Equal(content[150..], chunks.Ids(2).Skip(1).Take(29));
        Assert.Equal(49407, chunks.Ids(2)[30]);
        Assert.False(chunks.Truncated);
        Assert.True(tokenizer.Tokenize(caption, 2).Truncated);
    }

    [ClipVocabularyFact]
    public void The_pad_id_must_be_in_the_vocabulary()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ClipTokenizer(SharedClipVocabulary.Tokenizer, 49408));
    }
}
