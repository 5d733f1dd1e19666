def test_home_page_lists_categories_with_counts(page, make_service, make_taxonomy_term):
    food = make_taxonomy_term("Food", slug="food")
    make_service(name="Lunch Club", terms=[food])
    html = page("/")
    link = html.find("a", string="Food")
    assert link is not None and link["href"].endswith("/categories/food")
    assert "(1 service)" in html.get_text()
