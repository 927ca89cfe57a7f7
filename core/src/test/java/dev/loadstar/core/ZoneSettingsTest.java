package dev.loadstar.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** The zone settings: the group's cross-zone switch, the client's local zone, selection contexts. */
class ZoneSettingsTest {

  @Test
  void crossZoneIsOnByDefaultAndSurvivesToBuilder() {
    assertThat(TargetGroupConfig.builder("web").build().crossZoneEnabled()).isTrue();
    TargetGroupConfig off = TargetGroupConfig.builder("web").crossZoneEnabled(false).build();
    assertThat(off.toBuilder().build().crossZoneEnabled()).isFalse();
    assertThat(off.toString()).contains("crossZone=off");
  }

  @Test
  void clientLocalZoneIsValidatedAndReadFromJson() {
    assertThat(new LoadBalancedClientOptions().getLocalZone()).isNull();
    assertThatThrownBy(() -> new LoadBalancedClientOptions().setLocalZone(" "))
        .hasMessage("localZone: \" \" (expected: a non-blank string)");
    LoadBalancedClientOptions o = new LoadBalancedClientOptions(new JsonObject().put("localZone", "eu-west-1a"));
    assertThat(o.getLocalZone()).isEqualTo("eu-west-1a");
    assertThat(new LoadBalancedClientOptions(o.toJson()).getLocalZone()).isEqualTo("eu-west-1a");
    assertThat(new LoadBalancedClientOptions(o).getLocalZone()).isEqualTo("eu-west-1a");
  }

  @Test
  void selectionContextsCarryTheZoneAndTheHashKeyTogether() {
    assertThat(SelectionContext.NONE.zone()).isNull();
    assertThat(SelectionContext.inZone(null)).isSameAs(SelectionContext.NONE);
    SelectionContext keyed = SelectionContext.ofKey("user-1");
    SelectionContext both = keyed.withZone("zone-a");
    assertThat(both.zone()).isEqualTo("zone-a");
    assertThat(both.hasHashKey()).isTrue();
    assertThat(both.hashKey()).isEqualTo(keyed.hashKey());
    assertThat(SelectionContext.inZone("zone-b").hasHashKey()).isFalse();
    assertThat(SelectionContext.NONE.withZone(null)).isSameAs(SelectionContext.NONE);
  }
}
