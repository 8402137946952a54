"""The indicator catalogue: which CBS figures Buurtbasis shows and how to read them.

Each entry names its column in the two CBS layouts found in practice: the official KWB
spreadsheet (``kwb``, e.g. ``a_inw``) and StatLine/OData (``statline``: the column name without
its table-version suffix, e.g. ``AantalInwoners`` for ``AantalInwoners_5``).

``reading`` says whether a higher value reads as a strength, a need, or is only descriptive, so
pages can show strengths beside needs instead of a problem map (seed 001 L5094).
"""

from __future__ import annotations

from dataclasses import dataclass

KWB_TABLE = "CBS Kerncijfers wijken en buurten (85984NED)"
POLICE_TABLE = "Politie/CBS Geregistreerde misdrijven (47018NED)"


@dataclass(frozen=True)
class IndicatorSpec:
    key: str
    label_nl: str
    label_en: str
    unit: str
    reading: str  # "strength" | "need" | "neutral"
    kwb: str | None
    statline: str | None
    source_table: str = KWB_TABLE


CATALOGUE: tuple[IndicatorSpec, ...] = (
    IndicatorSpec("inhabitants", "Inwoners", "Inhabitants", "aantal", "neutral", "a_inw", "AantalInwoners"),
    IndicatorSpec("men", "Mannen", "Men", "aantal", "neutral", "a_man", "Mannen"),
    IndicatorSpec("women", "Vrouwen", "Women", "aantal", "neutral", "a_vrouw", "Vrouwen"),
    IndicatorSpec("age_0_14", "Kinderen tot 15 jaar", "Children under 15", "aantal", "neutral", "a_00_14", "k_0Tot15Jaar"),
    IndicatorSpec("age_15_24", "Jongeren 15 tot 25 jaar", "Young people 15 to 25", "aantal", "neutral", "a_15_24", "k_15Tot25Jaar"),
    IndicatorSpec("age_25_44", "Inwoners 25 tot 45 jaar", "Inhabitants 25 to 45", "aantal", "neutral", "a_25_44", "k_25Tot45Jaar"),
    IndicatorSpec("age_45_64", "Inwoners 45 tot 65 jaar", "Inhabitants 45 to 65", "aantal", "neutral", "a_45_64", "k_45Tot65Jaar"),
    IndicatorSpec("age_65_plus", "Ouderen (65 jaar en ouder)", "Older people (65 and over)", "aantal", "neutral", "a_65_oo", "k_65JaarOfOuder"),
    IndicatorSpec("households", "Huishoudens", "Households", "aantal", "neutral", "a_hh", "HuishoudensTotaal"),
    IndicatorSpec("single_person_households", "Eenpersoonshuishoudens", "Single-person households", "aantal", "need", "a_1p_hh", "Eenpersoonshuishoudens"),
    IndicatorSpec("households_with_children", "Huishoudens met kinderen", "Households with children", "aantal", "neutral", "a_hh_m_k", "HuishoudensMetKinderen"),
    IndicatorSpec("household_size", "Gemiddelde grootte huishouden", "Average household size", "personen", "neutral", "g_hhgro", "GemiddeldeHuishoudensgrootte"),
    IndicatorSpec("density", "Inwoners per km²", "Inhabitants per km²", "per km²", "neutral", "bev_dich", "Bevolkingsdichtheid"),
    IndicatorSpec("dwellings", "Woningen", "Dwellings", "aantal", "neutral", "a_woning", "Woningvoorraad"),
    IndicatorSpec("woz_value", "Gemiddelde WOZ-waarde woning", "Average property value", "x 1.000 euro", "neutral", "g_wozbag", "GemiddeldeWOZWaardeVanWoningen"),
    IndicatorSpec("owner_occupied", "Koopwoningen", "Owner-occupied homes", "%", "neutral", "p_koopw", "Koopwoningen"),
    IndicatorSpec("social_housing", "Woningen van een woningcorporatie", "Housing-association homes", "%", "neutral", "p_wcorpw", "InBezitWoningcorporatie"),
    IndicatorSpec("education_high", "Inwoners met hbo of wo", "Inhabitants with higher education", "aantal", "strength", "a_opl_hg", "HboWo"),
    IndicatorSpec("education_low", "Inwoners met basisonderwijs, vmbo of mbo 1", "Inhabitants with basic education", "aantal", "need", "a_opl_lg", "BasisonderwijsVmboMbo1"),
    IndicatorSpec("labour_participation", "Netto arbeidsparticipatie", "Net labour participation", "%", "strength", "p_arb_pp", "Nettoarbeidsparticipatie"),
    IndicatorSpec("income_per_inhabitant", "Gemiddeld inkomen per inwoner", "Average income per inhabitant", "x 1.000 euro", "strength", "g_ink_pi", "GemiddeldInkomenPerInwoner"),
    IndicatorSpec("low_income_households", "Huishoudens met een laag inkomen", "Households with a low income", "%", "need", "p_hh_li", "HuishoudensMetEenLaagInkomen"),
    IndicatorSpec("social_minimum_households", "Huishoudens rond het sociaal minimum", "Households at or below the social minimum", "%", "need", "p_hh_osm", "HuishOnderOfRondSociaalMinimum"),
    IndicatorSpec("social_assistance", "Mensen met bijstand", "People on social assistance", "aantal", "need", "a_soz_wb", "PersonenPerSoortUitkeringBijstand"),
    IndicatorSpec("youth_care", "Jongeren met jeugdzorg", "Young people in youth care", "%", "need", "p_jz_tn", "PercentageJongerenMetJeugdzorg"),
    IndicatorSpec("wmo_clients", "Wmo-cliënten", "Wmo clients (social support)", "per 1.000 inwoners", "need", "p_wmo_t", "WmoClientenRelatief"),
    IndicatorSpec("businesses", "Bedrijfsvestigingen", "Business locations", "aantal", "strength", "a_bedv", "BedrijfsvestigingenTotaal"),
    IndicatorSpec("distance_gp", "Afstand tot huisarts", "Distance to a GP", "km", "need", "g_afs_hp", "AfstandTotHuisartsenpraktijk"),
    IndicatorSpec("distance_supermarket", "Afstand tot grote supermarkt", "Distance to a large supermarket", "km", "need", "g_afs_gs", "AfstandTotGroteSupermarkt"),
    IndicatorSpec("schools_within_3km", "Scholen binnen 3 km", "Schools within 3 km", "aantal", "strength", "g_3km_sc", "ScholenBinnen3Km"),
    IndicatorSpec("area_total", "Oppervlakte", "Area", "ha", "neutral", "a_opp_ha", "OppervlakteTotaal"),
    IndicatorSpec("area_land", "Oppervlakte land", "Land area", "ha", "neutral", "a_lan_ha", "OppervlakteLand"),
    IndicatorSpec("area_water", "Oppervlakte water", "Water area", "ha", "neutral", "a_wat_ha", "OppervlakteWater"),
    IndicatorSpec("urbanity", "Stedelijkheid (1 = zeer sterk, 5 = niet)", "Urbanity (1 = very strong, 5 = none)", "klasse", "neutral", "ste_mvs", "MateVanStedelijkheid"),
    IndicatorSpec("registered_crimes", "Geregistreerde misdrijven", "Registered crimes", "aantal", "need", None, "GeregistreerdeMisdrijven", POLICE_TABLE),
)  # fmt: skip

BY_KEY = {spec.key: spec for spec in CATALOGUE}
BY_KWB_COLUMN = {spec.kwb: spec for spec in CATALOGUE if spec.kwb}
BY_STATLINE_STEM = {spec.statline: spec for spec in CATALOGUE if spec.statline}
