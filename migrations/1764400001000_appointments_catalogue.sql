-- Up Migration
-- Seed catalogue of the appointment feature: Berlin's Bürgerämter (all 12 districts), the common
-- services at their counters, and Berlin's public holidays as closures of every office.
--
-- Offices, districts and addresses are compiled from public sources (berlin.de press releases,
-- district news, 2024/2025). Locations move (e.g. Köpenick's Rathaus reopened after renovation,
-- Adlershof stayed); check them against service.berlin.de before production and maintain the
-- table there, not here. Opening hours are typical Bürgeramt patterns (long days Tuesday and
-- Thursday, short Wednesday and Friday), where a press source gave none.
-- Not a service here: the Wohnungsgeberbestätigung is a form the landlord fills in; the
-- citizen brings it to the Anmeldung (anmeldung-wohnung), it needs no appointment of its own.

INSERT INTO offices (id, name, district, address, opening_hours) VALUES
  ('buergeramt-hohenzollerndamm', 'Bürgeramt Hohenzollerndamm', 'Charlottenburg-Wilmersdorf', 'Hohenzollerndamm 177, 10713 Berlin', '{"mon": [["08:00","15:00"]], "tue": [["11:00","18:00"]], "wed": [["08:00","13:00"]], "thu": [["11:00","18:00"]], "fri": [["08:00","13:00"]]}'::jsonb),
  ('buergeramt-heerstrasse', 'Bürgeramt Heerstraße', 'Charlottenburg-Wilmersdorf', 'Heerstraße 12, 14052 Berlin', '{"mon": [["08:00","15:00"]], "tue": [["11:00","18:00"]], "wed": [["08:00","13:00"]], "thu": [["11:00","18:00"]], "fri": [["08:00","13:00"]]}'::jsonb),
  ('buergeramt-wilmersdorfer-strasse', 'Bürgeramt Wilmersdorfer Straße (Wilmersdorfer Arcaden)', 'Charlottenburg-Wilmersdorf', 'Wilmersdorfer Straße 46, 10627 Berlin', '{"mon": [["08:00","16:00"]], "tue": [["08:00","16:00"]], "wed": [["08:00","13:00"]], "thu": [["10:00","18:00"]], "fri": [["08:00","13:00"]]}'::jsonb),
  ('buergeramt-frankfurter-allee', 'Bürgeramt Frankfurter Allee', 'Friedrichshain-Kreuzberg', 'Frankfurter Allee 35/37, 10247 Berlin', '{"mon": [["08:00","15:00"]], "tue": [["11:00","18:00"]], "wed": [["08:00","13:00"]], "thu": [["11:00","18:00"]], "fri": [["08:00","13:00"]]}'::jsonb),
  ('buergeramt-kreuzberg-yorckstrasse', 'Bürgeramt Kreuzberg (Yorckstraße)', 'Friedrichshain-Kreuzberg', 'Yorckstraße 4–11, 10965 Berlin', '{"mon": [["08:00","15:00"]], "tue": [["11:00","18:00"]], "wed": [["08:00","13:00"]], "thu": [["11:00","18:00"]], "fri": [["08:00","13:00"]]}'::jsonb),
  ('buergeramt-normannenstrasse', 'Bürgeramt Lichtenberg (Normannenstraße)', 'Lichtenberg', 'Normannenstraße 1–2, 10367 Berlin', '{"mon": [["08:00","15:00"]], "tue": [["11:00","18:00"]], "wed": [["08:00","13:00"]], "thu": [["11:00","18:00"]], "fri": [["08:00","13:00"]]}'::jsonb),
  ('buergeramt-egon-erwin-kisch-strasse', 'Bürgeramt Egon-Erwin-Kisch-Straße', 'Lichtenberg', 'Egon-Erwin-Kisch-Straße 106, 13059 Berlin', '{"mon": [["08:00","15:00"]], "tue": [["11:00","18:00"]], "wed": [["08:00","13:00"]], "thu": [["11:00","18:00"]], "fri": [["08:00","13:00"]]}'::jsonb),
  ('buergeramt-grosse-leege-strasse', 'Bürgeramt Hohenschönhausen (Große-Leege-Straße)', 'Lichtenberg', 'Große-Leege-Straße 103, 13055 Berlin', '{"mon": [["08:00","15:00"]], "tue": [["11:00","18:00"]], "wed": [["08:00","13:00"]], "thu": [["11:00","18:00"]], "fri": [["08:00","13:00"]]}'::jsonb),
  ('buergeramt-biesdorf-center', 'Bürgeramt Biesdorf-Center', 'Marzahn-Hellersdorf', 'Weißenhöher Straße 88, 12683 Berlin', '{"mon": [["08:00","16:00"]], "tue": [["08:00","16:00"]], "wed": [["08:00","13:00"]], "thu": [["10:00","18:00"]], "fri": [["08:00","13:00"]]}'::jsonb),
  ('buergeramt-marzahner-promenade', 'Bürgeramt Marzahner Promenade', 'Marzahn-Hellersdorf', 'Marzahner Promenade 11, 12679 Berlin', '{"mon": [["08:00","15:00"]], "tue": [["11:00","18:00"]], "wed": [["08:00","13:00"]], "thu": [["11:00","18:00"]], "fri": [["08:00","13:00"]]}'::jsonb),
  ('buergeramt-helle-mitte', 'Bürgeramt Helle Mitte', 'Marzahn-Hellersdorf', 'Alice-Salomon-Platz 3, 12627 Berlin', '{"mon": [["08:00","15:00"]], "tue": [["11:00","18:00"]], "wed": [["08:00","13:00"]], "thu": [["11:00","18:00"]], "fri": [["08:00","13:00"]]}'::jsonb),
  ('buergeramt-riesaer-strasse', 'Bürgeramt Riesaer Straße', 'Marzahn-Hellersdorf', 'Riesaer Straße 94, 12627 Berlin', '{"mon": [["08:00","16:00"]], "tue": [["08:00","16:00"]], "wed": [["08:00","13:00"]], "thu": [["10:00","18:00"]], "fri": [["08:00","13:00"]]}'::jsonb),
  ('buergeramt-rathaus-mitte', 'Bürgeramt Rathaus Mitte (Karl-Marx-Allee)', 'Mitte', 'Karl-Marx-Allee 31, 10178 Berlin', '{"mon": [["08:00","15:00"]], "tue": [["11:00","18:00"]], "wed": [["08:00","13:00"]], "thu": [["11:00","18:00"]], "fri": [["08:00","13:00"]]}'::jsonb),
  ('buergeramt-rathaus-tiergarten', 'Bürgeramt Rathaus Tiergarten', 'Mitte', 'Mathilde-Jacob-Platz 1, 10551 Berlin', '{"mon": [["08:00","15:00"]], "tue": [["11:00","18:00"]], "wed": [["08:00","13:00"]], "thu": [["11:00","18:00"]], "fri": [["08:00","13:00"]]}'::jsonb),
  ('buergeramt-wedding', 'Bürgeramt Wedding (Rathaus Wedding)', 'Mitte', 'Müllerstraße 146, 13353 Berlin', '{"mon": [["08:00","15:00"]], "tue": [["11:00","18:00"]], "wed": [["08:00","13:00"]], "thu": [["11:00","18:00"]], "fri": [["08:00","13:00"]]}'::jsonb),
  ('buergeramt-osloer-strasse', 'Bürgeramt Osloer Straße', 'Mitte', 'Osloer Straße 36, 13359 Berlin', '{"mon": [["08:00","15:00"]], "tue": [["11:00","18:00"]], "wed": [["08:00","13:00"]], "thu": [["11:00","18:00"]], "fri": [["08:00","13:00"]]}'::jsonb),
  ('buergeramt-klosterstrasse', 'Bürgeramt Klosterstraße', 'Mitte', 'Klosterstraße 71, 10179 Berlin', '{"mon": [["08:00","16:00"]], "tue": [["08:00","16:00"]], "wed": [["08:00","13:00"]], "thu": [["10:00","18:00"]], "fri": [["08:00","13:00"]]}'::jsonb),
  ('buergeramt-rathaus-neukoelln', 'Bürgeramt Rathaus Neukölln', 'Neukölln', 'Donaustraße 29, 12043 Berlin', '{"mon": [["08:00","15:00"]], "tue": [["11:00","18:00"]], "wed": [["08:00","13:00"]], "thu": [["11:00","18:00"]], "fri": [["08:00","13:00"]]}'::jsonb),
  ('buergeramt-sonnenallee', 'Bürgeramt Sonnenallee', 'Neukölln', 'Sonnenallee 107, 12045 Berlin', '{"mon": [["08:00","15:00"]], "tue": [["11:00","18:00"]], "wed": [["08:00","13:00"]], "thu": [["11:00","18:00"]], "fri": [["08:00","13:00"]]}'::jsonb),
  ('buergeramt-blaschkoallee', 'Bürgeramt Britz (Blaschkoallee)', 'Neukölln', 'Blaschkoallee 32, 12359 Berlin', '{"mon": [["08:00","15:00"]], "tue": [["11:00","18:00"]], "wed": [["08:00","13:00"]], "thu": [["11:00","18:00"]], "fri": [["08:00","13:00"]]}'::jsonb),
  ('buergeramt-zwickauer-damm', 'Bürgeramt Rudow (Zwickauer Damm)', 'Neukölln', 'Zwickauer Damm 52, 12353 Berlin', '{"mon": [["08:00","15:00"]], "tue": [["11:00","18:00"]], "wed": [["08:00","13:00"]], "thu": [["11:00","18:00"]], "fri": [["08:00","13:00"]]}'::jsonb),
  ('buergeramt-rathaus-pankow', 'Bürgeramt Rathaus Pankow', 'Pankow', 'Breite Straße 24A–26, 13187 Berlin', '{"mon": [["08:00","15:00"]], "tue": [["11:00","18:00"]], "wed": [["08:00","13:00"]], "thu": [["11:00","18:00"]], "fri": [["08:00","13:00"]]}'::jsonb),
  ('buergeramt-prenzlauer-berg', 'Bürgeramt Prenzlauer Berg', 'Pankow', 'Fröbelstraße 17, 10405 Berlin', '{"mon": [["08:00","15:00"]], "tue": [["11:00","18:00"]], "wed": [["08:00","13:00"]], "thu": [["11:00","18:00"]], "fri": [["08:00","13:00"]]}'::jsonb),
  ('buergeramt-weissensee', 'Bürgeramt Weißensee', 'Pankow', 'Berliner Allee 252–260, 13088 Berlin', '{"mon": [["08:00","15:00"]], "tue": [["11:00","18:00"]], "wed": [["08:00","13:00"]], "thu": [["11:00","18:00"]], "fri": [["08:00","13:00"]]}'::jsonb),
  ('buergeramt-rathaus-reinickendorf', 'Bürgeramt Rathaus Reinickendorf', 'Reinickendorf', 'Eichborndamm 215, 13437 Berlin', '{"mon": [["08:00","15:00"]], "tue": [["11:00","18:00"]], "wed": [["08:00","13:00"]], "thu": [["11:00","18:00"]], "fri": [["08:00","13:00"]]}'::jsonb),
  ('buergeramt-maerkisches-viertel', 'Bürgeramt Märkisches Viertel (Fontane-Haus)', 'Reinickendorf', 'Wilhelmsruher Damm 142c, 13439 Berlin', '{"mon": [["08:00","15:00"]], "tue": [["11:00","18:00"]], "wed": [["08:00","13:00"]], "thu": [["11:00","18:00"]], "fri": [["08:00","13:00"]]}'::jsonb),
  ('buergeramt-teichstrasse', 'Bürgeramt Reinickendorf-Ost (Teichstraße)', 'Reinickendorf', 'Teichstraße 65, 13407 Berlin', '{"mon": [["08:00","15:00"]], "tue": [["11:00","18:00"]], "wed": [["08:00","13:00"]], "thu": [["11:00","18:00"]], "fri": [["08:00","13:00"]]}'::jsonb),
  ('buergeramt-rathaus-spandau', 'Bürgeramt Rathaus Spandau', 'Spandau', 'Carl-Schurz-Straße 2/6, 13597 Berlin', '{"mon": [["08:00","15:00"]], "tue": [["08:00","14:00"]], "wed": [["10:00","18:00"]], "thu": [["10:00","18:00"]], "fri": [["08:00","13:00"]]}'::jsonb),
  ('buergeramt-wasserstadt', 'Bürgeramt Wasserstadt', 'Spandau', 'Hugo-Cassirer-Straße 48, 13587 Berlin', '{"mon": [["10:00","18:00"]], "tue": [["10:00","18:00"]], "wed": [["08:00","15:00"]], "thu": [["08:00","14:00"]], "fri": [["08:00","13:00"]]}'::jsonb),
  ('buergeramt-kladow', 'Bürgeramt Kladow', 'Spandau', 'Parnemannweg 22, 14089 Berlin', '{"mon": [["08:00","15:00"]]}'::jsonb),
  ('buergeramt-staaken', 'Bürgeramt Staaken (New Staaken-Center)', 'Spandau', 'Obstallee 22, 13593 Berlin', '{"mon": [["08:00","16:00"]], "tue": [["08:00","16:00"]], "wed": [["08:00","13:00"]], "thu": [["10:00","18:00"]], "fri": [["08:00","13:00"]]}'::jsonb),
  ('buergeramt-rathaus-steglitz', 'Bürgeramt Rathaus Steglitz', 'Steglitz-Zehlendorf', 'Schloßstraße 37, 12163 Berlin', '{"mon": [["08:00","15:00"]], "tue": [["11:00","18:00"]], "wed": [["08:00","13:00"]], "thu": [["11:00","18:00"]], "fri": [["08:00","13:00"]]}'::jsonb),
  ('buergeramt-rathaus-zehlendorf', 'Bürgeramt Rathaus Zehlendorf', 'Steglitz-Zehlendorf', 'Teltower Damm 18, 14169 Berlin', '{"mon": [["08:00","15:00"]], "tue": [["11:00","18:00"]], "wed": [["08:00","13:00"]], "thu": [["11:00","18:00"]], "fri": [["08:00","13:00"]]}'::jsonb),
  ('buergeramt-lankwitz', 'Bürgeramt Lankwitz', 'Steglitz-Zehlendorf', 'Leonorenstraße 70, 12247 Berlin', '{"mon": [["08:00","15:00"]], "tue": [["11:00","18:00"]], "wed": [["08:00","13:00"]], "thu": [["11:00","18:00"]], "fri": [["08:00","13:00"]]}'::jsonb),
  ('buergeramt-rathaus-schoeneberg', 'Bürgeramt Rathaus Schöneberg', 'Tempelhof-Schöneberg', 'John-F.-Kennedy-Platz 1, 10825 Berlin', '{"mon": [["08:00","15:00"]], "tue": [["11:00","18:00"]], "wed": [["08:00","13:00"]], "thu": [["11:00","18:00"]], "fri": [["08:00","13:00"]]}'::jsonb),
  ('buergeramt-rathaus-tempelhof', 'Bürgeramt Rathaus Tempelhof', 'Tempelhof-Schöneberg', 'Tempelhofer Damm 165, 12099 Berlin', '{"mon": [["08:00","15:00"]], "tue": [["11:00","18:00"]], "wed": [["08:00","13:00"]], "thu": [["11:00","18:00"]], "fri": [["08:00","13:00"]]}'::jsonb),
  ('buergeramt-rathaus-friedenau', 'Bürgeramt Rathaus Friedenau', 'Tempelhof-Schöneberg', 'Niedstraße 1–2, 12159 Berlin', '{"mon": [["08:00","15:00"]], "tue": [["11:00","18:00"]], "wed": [["08:00","13:00"]], "thu": [["11:00","18:00"]], "fri": [["08:00","13:00"]]}'::jsonb),
  ('buergeramt-lichtenrade', 'Bürgeramt Lichtenrade', 'Tempelhof-Schöneberg', 'Briesingstraße 6, 12307 Berlin', '{"mon": [["08:00","15:00"]], "tue": [["11:00","18:00"]], "wed": [["08:00","13:00"]], "thu": [["11:00","18:00"]], "fri": [["08:00","13:00"]]}'::jsonb),
  ('buergeramt-rathaus-koepenick', 'Bürgeramt Rathaus Köpenick', 'Treptow-Köpenick', 'Alt-Köpenick 21, 12555 Berlin', '{"mon": [["08:00","15:00"]], "tue": [["11:00","18:00"]], "wed": [["08:00","13:00"]], "thu": [["11:00","18:00"]], "fri": [["08:00","13:00"]]}'::jsonb),
  ('buergeramt-adlershof', 'Bürgeramt Adlershof', 'Treptow-Köpenick', 'Rudower Chaussee 6, 12489 Berlin', '{"mon": [["08:00","16:00"]], "tue": [["08:00","16:00"]], "wed": [["08:00","13:00"]], "thu": [["10:00","18:00"]], "fri": [["08:00","13:00"]]}'::jsonb),
  ('buergeramt-schoeneweide', 'Bürgeramt Schöneweide (Michael-Brückner-Haus)', 'Treptow-Köpenick', 'Michael-Brückner-Straße 1, 12439 Berlin', '{"mon": [["08:00","15:00"]], "tue": [["11:00","18:00"]], "wed": [["08:00","13:00"]], "thu": [["11:00","18:00"]], "fri": [["08:00","13:00"]]}'::jsonb);

INSERT INTO services (id, name, duration_minutes, in_person_only) VALUES
  ('personalausweis-beantragen', 'Personalausweis beantragen', 20, true),
  ('reisepass-beantragen', 'Reisepass beantragen', 20, true),
  ('kinderreisepass-beantragen', 'Kinderreisepass beantragen', 15, true),
  ('vorlaeufiger-personalausweis', 'Vorläufigen Personalausweis beantragen', 15, true),
  ('ausweisdokumente-abholen', 'Personalausweis oder Reisepass abholen', 5, true),
  ('pin-ruecksetzbrief', 'Online-Ausweisfunktion: PIN neu setzen', 10, true),
  ('anmeldung-wohnung', 'Anmeldung einer Wohnung', 10, false),
  ('ummeldung-wohnung', 'Ummeldung einer Wohnung (Umzug innerhalb Berlins)', 10, false),
  ('abmeldung-wohnung', 'Abmeldung einer Wohnung', 5, false),
  ('meldebescheinigung', 'Meldebescheinigung beantragen', 5, false),
  ('melderegisterauskunft', 'Einfache Melderegisterauskunft', 5, false),
  ('fuehrungszeugnis-beantragen', 'Führungszeugnis beantragen', 10, false),
  ('beglaubigung', 'Beglaubigung von Kopien und Unterschriften', 10, true),
  ('fuehrerschein-umtausch', 'Führerschein umtauschen (Kartenführerschein)', 15, true),
  ('bewohnerparkausweis', 'Bewohnerparkausweis beantragen', 10, false);

-- Every Bürgeramt offers every service of the catalogue ("Allzuständigkeit"), except that the small
-- Kladow office does no driving-licence exchange.
INSERT INTO office_services (office_id, service_id)
SELECT o.id, s.id FROM offices o CROSS JOIN services s
 WHERE NOT (o.id = 'buergeramt-kladow' AND s.id = 'fuehrerschein-umtausch');

-- Public holidays in Berlin (and the days the Bürgerämter close), whole Berlin days.
INSERT INTO office_closures (office_id, starts_at, ends_at, reason)
SELECT NULL, (d::date::timestamp AT TIME ZONE 'Europe/Berlin'), ((d::date + 1)::timestamp AT TIME ZONE 'Europe/Berlin'), reason FROM (VALUES
  ('2026-01-01', 'Neujahr'),
  ('2026-03-08', 'Internationaler Frauentag'),
  ('2026-04-03', 'Karfreitag'),
  ('2026-04-06', 'Ostermontag'),
  ('2026-05-01', 'Tag der Arbeit'),
  ('2026-05-14', 'Christi Himmelfahrt'),
  ('2026-05-25', 'Pfingstmontag'),
  ('2026-10-03', 'Tag der Deutschen Einheit'),
  ('2026-12-24', 'Heiligabend (Bürgerämter geschlossen)'),
  ('2026-12-25', '1. Weihnachtstag'),
  ('2026-12-26', '2. Weihnachtstag'),
  ('2026-12-31', 'Silvester (Bürgerämter geschlossen)'),
  ('2027-01-01', 'Neujahr'),
  ('2027-03-08', 'Internationaler Frauentag'),
  ('2027-03-26', 'Karfreitag'),
  ('2027-03-29', 'Ostermontag'),
  ('2027-05-01', 'Tag der Arbeit'),
  ('2027-05-06', 'Christi Himmelfahrt'),
  ('2027-05-17', 'Pfingstmontag'),
  ('2027-10-03', 'Tag der Deutschen Einheit'),
  ('2027-12-24', 'Heiligabend (Bürgerämter geschlossen)'),
  ('2027-12-25', '1. Weihnachtstag'),
  ('2027-12-26', '2. Weihnachtstag'),
  ('2027-12-31', 'Silvester (Bürgerämter geschlossen)')
) AS h(d, reason);

-- Down Migration
DELETE FROM office_closures;
DELETE FROM office_services;
DELETE FROM services;
DELETE FROM offices;
