using LoraPS.Workflows;

namespace LoraPS.Models.Tagging;

/// <summary>Where the argmax rating tag goes in the caption.</summary>
public enum RatingPlacement { None, First, Last }

/// <summary>The tag-selection rules of sd-scripts' WD14 tagger, as options.</summary>
public sealed record TagSelectionOptions
{
    /// <summary>General tags with probability ≥ this are kept (sd-scripts --general_threshold, default 0.35).</summary>
    public float GeneralThreshold { get; init; } = 0.35f;
    /// <summary>Character tags with probability ≥ this are kept; null = the general threshold; above 1 turns them off.</summary>
    public float? CharacterThreshold { get; init; }
    public RatingPlacement Rating { get; init; } = RatingPlacement.None;
    /// <summary>Tags never written (compared with and without underscores), e.g. "1girl", "2boys".</summary>
    public IReadOnlyCollection<string> ExcludeTags { get; init; } = Array.Empty<string>();
    /// <summary>Tags moved to the front when present; as in sd-scripts each is moved in turn, so the last listed ends first.</summary>
    public IReadOnlyList<string> AlwaysFirstTags { get; init; } = Array.Empty<string>();
    /// <summary>Tags put at the very front of every caption (e.g. a trigger word), in this order, found or not.</summary>
    public IReadOnlyList<string> AddTags { get; init; } = Array.Empty<string>();
    /// <summary>Replace '_' with ' ' in tags longer than 3 characters (emoticons such as ^_^ keep theirs).</summary>
    public bool ReplaceUnderscores { get; init; } = true;
    /// <summary>Each found character tag goes to the front (sd-scripts --character_tags_first).</summary>
    public bool CharacterTagsFirst { get; init; }
    public string Separator { get; init; } = ", ";
}

/// <summary>What the rules chose for one image.</summary>
public sealed record TagSelection(IReadOnlyList<TagScore> Tags, string? Rating, IReadOnlyList<string> CaptionTags);

/// <summary>Turns one row of tag probabilities into tags, a rating and the caption's tag order.</summary>
public sealed class Wd14TagSelector
{
    private readonly Wd14TagSet _tags;
    private readonly TagSelectionOptions _options;
    private readonly string[] _displayNames;
    private readonly HashSet<string> _exclude;

    public Wd14TagSelector(Wd14TagSet tags, TagSelectionOptions options)
    {
        _tags = tags;
        _options = options;
        if (options.GeneralThreshold is < 0 or > 1 || float.IsNaN(options.GeneralThreshold))
            throw new ArgumentOutOfRangeException(nameof(options), $"general threshold {options.GeneralThreshold} is not between 0 and 1");
        _displayNames = tags.Tags.Select(t => Display(t.Name)).ToArray();
        _exclude = new HashSet<string>(StringComparer.Ordinal);
        foreach (string tag in options.ExcludeTags.Select(t => t.Trim()).Where(t => t.Length > 0))
        {
            _exclude.Add(tag);
            _exclude.Add(Display(tag));
            _exclude.Add(tag.Replace(' ', '_'));
        }
    }

    /// <summary>The name as written in captions: underscores become spaces unless the tag is 3 characters or shorter.</summary>
    public string Display(string name) => _options.ReplaceUnderscores && name.Length > 3 ? name.Replace('_', ' ') : name;

    public TagSelection Select(ReadOnlySpan<float> probabilities)
    {
        if (probabilities.Length != _tags.Count)
            throw new ArgumentException($"{probabilities.Length} scores for {_tags.Count} tags");
        float general = _options.GeneralThreshold, character = _options.CharacterThreshold ?? general;
        var found = new List<TagScore>();
        var caption = new List<string>();
        int ratingIndex = -1;
        for (int i = 0; i < probabilities.Length; i++)
        {
            var tag = _tags.Tags[i];
            float p = probabilities[i];
            if (tag.Category == TagCategory.Rating)
            {
                if (ratingIndex < 0 || p > probabilities[ratingIndex]) ratingIndex = i;
                continue;
            }
            float threshold = tag.Category == TagCategory.Character ? character : general;
            if (!(p >= threshold)) continue;
            string name = _displayNames[i];
            if (_exclude.Contains(name) || _exclude.Contains(tag.Name)) continue;
            found.Add(new TagScore(name, p, tag.Category));
        }
        // Caption order as sd-scripts: general tags in list order, then characters (or each character to the front).
        foreach (var t in found.Where(t => t.Category != TagCategory.Character)) caption.Add(t.Name);
        foreach (var t in found.Where(t => t.Category == TagCategory.Character))
            if (_options.CharacterTagsFirst) caption.Insert(0, t.Name); else caption.Add(t.Name);

        string? rating = null;
        if (ratingIndex >= 0)
        {
            rating = _displayNames[ratingIndex];
            bool excluded = _exclude.Contains(rating) || _exclude.Contains(_tags.Tags[ratingIndex].Name);
            if (!excluded && _options.Rating != RatingPlacement.None)
            {
                if (_options.Rating == RatingPlacement.First) caption.Insert(0, rating); else caption.Add(rating);
                found.Add(new TagScore(rating, probabilities[ratingIndex], TagCategory.Rating));
            }
        }
        foreach (string first in _options.AlwaysFirstTags.Select(t => Display(t.Trim())))
            if (caption.Remove(first)) caption.Insert(0, first);
        for (int i = _options.AddTags.Count - 1; i >= 0; i--)
        {
            string add = _options.AddTags[i].Trim();
            if (add.Length == 0) continue;
            caption.Remove(add);
            caption.Insert(0, add);
        }
        var byConfidence = found.OrderByDescending(t => t.Confidence).ToList();
        return new TagSelection(byConfidence, rating, caption);
    }

    /// <summary>The caption text: the tags joined with the separator.</summary>
    public string Caption(IEnumerable<string> tags) => string.Join(_options.Separator, tags);

    /// <summary>Append mode: keeps the existing tags (split on the trimmed separator) and adds new ones after them.</summary>
    public IReadOnlyList<string> Merge(string existing, IReadOnlyList<string> newTags)
    {
        string separator = _options.Separator.Trim();
        if (separator.Length == 0) separator = _options.Separator;
        var tags = existing.Split(separator).Select(t => t.Trim()).Where(t => t.Length > 0).ToList();
        foreach (string tag in newTags)
            if (!tags.Contains(tag)) tags.Add(tag);
        return tags;
    }
}
