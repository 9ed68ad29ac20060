using Search.Api.Search;

namespace Search.Tests;

/// <summary>The engine-independent suggestion built from typo-matched hits.</summary>
public sealed class DidYouMeanTests
{
    private static SearchHit Hit(string name, string brand = "Acme", string category = "mugs") =>
        new(Guid.CreateVersion7(), "SKU-1", name, brand, category, 10m, "EUR", true, name, 1);

    [Theory]
    [InlineData("teapto", "teapot")]                     // transposition: 2 edits, allowed past 5 letters
    [InlineData("Glazd TEAPOT", "glazed teapot")]        // every word as a shopper would retype it, lower case
    [InlineData("acne mug", "acme mug")]                 // the brand is vocabulary too
    [InlineData("muggs", "mugs")]
    public void Replaces_each_word_the_hits_do_not_have_with_the_nearest_one(string text, string expected) =>
        Assert.Equal(expected, DidYouMean.From(text, [Hit("Glazed Teapot"), Hit("Tall Mug")]));

    [Theory]
    [InlineData("glazed teapot")]   // already right
    [InlineData("tea")]             // short words are not typo-matched
    [InlineData("zzzzzz")]          // nothing within 2 edits
    public void Gives_nothing_when_there_is_nothing_to_correct(string text) =>
        Assert.Null(DidYouMean.From(text, [Hit("Glazed Teapot")]));

    [Fact]
    public void Gives_nothing_without_hits_or_text()
    {
        Assert.Null(DidYouMean.From("teapto", []));
        Assert.Null(DidYouMean.From(null, [Hit("Glazed Teapot")]));
    }

    [Fact]
    public void Among_equally_near_words_the_commoner_one_wins()
    {
        var hits = new[] { Hit("Boot"), Hit("Boat"), Hit("Boat Hook") };
        Assert.Equal("boat", DidYouMean.From("boxt", hits));
    }

    [Theory]
    [InlineData("!!!", true)]
    [InlineData("\U0001F642", true)]
    [InlineData("— ★ ?", true)]
    [InlineData("🙂 mug", false)]
    [InlineData("42", false)]
    [InlineData("café", false)]
    public void Text_without_a_letter_or_digit_has_no_words(string text, bool none) =>
        Assert.Equal(none, DidYouMean.HasNoWords(text));
}
