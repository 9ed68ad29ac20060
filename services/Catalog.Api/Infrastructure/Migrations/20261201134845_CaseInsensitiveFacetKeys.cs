using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Catalog.Api.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class CaseInsensitiveFacetKeys : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_products_status_category_name_id",
                table: "products");

            migrationBuilder.DropIndex(
                name: "IX_products_status_category_price_id",
                table: "products");

            migrationBuilder.AddColumn<string>(
                name: "brand_key",
                table: "products",
                type: "character varying(100)",
                maxLength: 100,
                nullable: false,
                computedColumnSql: "lower(brand)",
                stored: true);

            migrationBuilder.AddColumn<string>(
                name: "category_key",
                table: "products",
                type: "character varying(100)",
                maxLength: 100,
                nullable: false,
                computedColumnSql: "lower(category)",
                stored: true);

            migrationBuilder.CreateIndex(
                name: "IX_products_status_brand_key",
                table: "products",
                columns: new[] { "status", "brand_key" });

            migrationBuilder.CreateIndex(
                name: "IX_products_status_category",
                table: "products",
                columns: new[] { "status", "category" });

            migrationBuilder.CreateIndex(
                name: "IX_products_status_category_key_name_id",
                table: "products",
                columns: new[] { "status", "category_key", "name", "id" });

            migrationBuilder.CreateIndex(
                name: "IX_products_status_category_key_price_id",
                table: "products",
                columns: new[] { "status", "category_key", "price", "id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_products_status_brand_key",
                table: "products");

            migrationBuilder.DropIndex(
                name: "IX_products_status_category",
                table: "products");

            migrationBuilder.DropIndex(
                name: "IX_products_status_category_key_name_id",
                table: "products");

            migrationBuilder.DropIndex(
                name: "IX_products_status_category_key_price_id",
                table: "products");

            migrationBuilder.DropColumn(
                name: "brand_key",
                table: "products");

            migrationBuilder.DropColumn(
                name: "category_key",
                table: "products");

            migrationBuilder.CreateIndex(
                name: "IX_products_status_category_name_id",
                table: "products",
                columns: new[] { "status", "category", "name", "id" });

            migrationBuilder.CreateIndex(
                name: "IX_products_status_category_price_id",
                table: "products",
                columns: new[] { "status", "category", "price", "id" });
        }
    }
}
