using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Ordering.Api.Infrastructure.Migrations
{
    /// <summary>
    /// A paid order's reservation is held: <c>expires_at</c> is null. Until now paying set it a hundred years ahead
    /// instead; those rows (any status: a held reservation may since have been shipped or released) become null.
    /// Nothing else reserves more than a few hours ahead, so fifty years from now separates the two safely.
    /// </summary>
    public partial class HeldReservations : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterColumn<DateTimeOffset>(
                name: "expires_at",
                table: "reservations",
                type: "timestamp with time zone",
                nullable: true,
                oldClrType: typeof(DateTimeOffset),
                oldType: "timestamp with time zone");

            migrationBuilder.Sql("UPDATE reservations SET expires_at = NULL WHERE expires_at > now() + interval '50 years';");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // Back to the old code's sentinel, which its expiry job never reaches.
            migrationBuilder.Sql("UPDATE reservations SET expires_at = now() + interval '100 years' WHERE expires_at IS NULL;");

            migrationBuilder.AlterColumn<DateTimeOffset>(
                name: "expires_at",
                table: "reservations",
                type: "timestamp with time zone",
                nullable: false,
                defaultValue: new DateTimeOffset(new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 0, 0, 0, 0)),
                oldClrType: typeof(DateTimeOffset),
                oldType: "timestamp with time zone",
                oldNullable: true);
        }
    }
}
