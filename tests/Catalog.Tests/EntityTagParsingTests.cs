using Ecommerce.Http;

namespace Catalog.Tests;

/// <summary>The shared If-Match / If-None-Match parser (Ecommerce.Http), RFC 9110 §8.8.3 and §13.1.</summary>
public sealed class EntityTagParsingTests
{
    private static EntityTagCondition Parse(params string[] lines)
    {
        Assert.True(EntityTags.TryParseCondition(lines, out var condition), string.Join(" | ", lines));
        return Assert.IsType<EntityTagCondition>(condition);
    }

    [Fact]
    public void An_absent_header_is_no_condition_and_not_an_error()
    {
        Assert.True(EntityTags.TryParseCondition(default, out var condition));
        Assert.Null(condition);
    }

    [Theory]
    [InlineData("*")]
    [InlineData("  *\t")]
    public void A_star_matches_any_current_tag_strongly_and_weakly(string header)
    {
        var condition = Parse(header);
        Assert.True(condition.Any);
        Assert.True(condition.MatchesStrong(EntityTag.Strong("v1")));
        Assert.True(condition.MatchesWeak(new EntityTag("v9", IsWeak: true)));
    }

    [Fact]
    public void A_list_matches_when_any_tag_matches()
    {
        var condition = Parse("\"v3\", \"v4\"");
        Assert.Equal([EntityTag.Strong("v3"), EntityTag.Strong("v4")], condition.Tags);
        Assert.True(condition.MatchesStrong(EntityTag.Strong("v4")));
        Assert.False(condition.MatchesStrong(EntityTag.Strong("v5")));
    }

    [Fact]
    public void Several_header_lines_are_one_list_and_empty_elements_are_skipped()
    {
        var condition = Parse("\"v1\",,", " , W/\"v2\"");
        Assert.Equal([EntityTag.Strong("v1"), new EntityTag("v2", IsWeak: true)], condition.Tags);
    }

    [Fact]
    public void A_weak_tag_never_matches_strongly_but_matches_weakly()
    {
        var condition = Parse("W/\"v22\"");
        Assert.False(condition.MatchesStrong(EntityTag.Strong("v22")));
        Assert.True(condition.MatchesWeak(EntityTag.Strong("v22")));
        Assert.False(condition.MatchesWeak(EntityTag.Strong("v23")));
    }

    [Fact]
    public void Comparison_is_of_the_opaque_tag_exactly()
    {
        Assert.False(Parse("\"V22\"").MatchesStrong(EntityTag.Strong("v22")));
        Assert.False(Parse("\"v022\"").MatchesStrong(EntityTag.Strong("v22")));
        Assert.True(Parse("\"\"").MatchesStrong(EntityTag.Strong("")));
    }

    [Theory]
    [InlineData("v3")]                // not quoted
    [InlineData("\"v3")]              // no closing quote
    [InlineData("\"v3\" \"v4\"")]     // no comma between tags
    [InlineData("\"v3\"x")]           // junk after a tag
    [InlineData("w/\"v3\"")]          // the weak prefix is case-sensitive
    [InlineData("W/ \"v3\"")]         // no space inside the weak prefix
    [InlineData("*, \"v3\"")]         // a star stands alone
    [InlineData("\"v 3\"")]           // a space is not an etagc
    [InlineData("\"v\u00e93\"")]      // neither is non-ASCII text
    [InlineData(",")]                 // a list of nothing
    public void Malformed_values_are_reported_not_guessed(string header)
    {
        Assert.False(EntityTags.TryParseCondition(header, out var condition));
        Assert.Null(condition);
    }

    [Fact]
    public void Tags_print_in_header_form()
    {
        Assert.Equal("\"v3\"", EntityTag.Strong("v3").ToString());
        Assert.Equal("W/\"v3\"", new EntityTag("v3", IsWeak: true).ToString());
    }
}
